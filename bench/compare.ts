/**
 * The tutorial's experiment against a running Worker: two calls to a 1-second endpoint one after another,
 * then the same two at once. The tutorial printed 2.0 s and 1.0 s.
 *
 * Usage: `npm run compare [-- http://127.0.0.1:8787]`
 */
const base = process.argv[2] ?? process.env.WORKER_URL ?? "http://127.0.0.1:8787";
const url = new URL("/timing/delay?ms=1000", base).toString();

async function callOnce(): Promise<void> {
  const response = await fetch(url);
  await response.arrayBuffer();
  if (!response.ok) throw new Error(`${url} answered HTTP ${response.status}`);
}

async function time(label: string, work: () => Promise<unknown>): Promise<number> {
  const started = performance.now();
  await work();
  const seconds = (performance.now() - started) / 1000;
  console.log(`${label.padEnd(34)} ${seconds.toFixed(2)} s`);
  return seconds;
}

try {
  // A warm-up call keeps isolate start-up out of the first measurement.
  await callOnce();
  console.log(`2 requests to ${url}`);
  const sequential = await time("one after another (sync client):", async () => {
    await callOnce();
    await callOnce();
  });
  const concurrent = await time("both at once (async client):", () => Promise.all([callOnce(), callOnce()]));
  console.log(`speedup ${(sequential / concurrent).toFixed(2)}x`);
} catch (error) {
  console.error(`compare failed: ${error instanceof Error ? error.message : String(error)}`);
  console.error("Is the Worker running? Start it with `npm run dev`.");
  process.exitCode = 1;
}
