/**
 * The tutorial's experiment against a running Worker: two calls to a 1-second endpoint one after another,
 * then the same two at once. The tutorial printed 2.0 s and 1.0 s; this also draws both runs as a text waterfall.
 *
 * Usage: `npm run compare [-- http://127.0.0.1:8787]`
 */
import { type TextBar, textWaterfall } from "./text-waterfall.ts";

const base = process.argv[2] ?? process.env.WORKER_URL ?? "http://127.0.0.1:8787";
const url = new URL("/timing/delay?ms=1000", base).toString();

async function callOnce(): Promise<void> {
  const response = await fetch(url);
  await response.arrayBuffer();
  if (!response.ok) throw new Error(`${url} answered HTTP ${response.status}`);
}

/** Runs `work`, printing its wall time; `call` times one request and records it as a bar of this run. */
async function time(
  label: string,
  work: (call: (name: string) => Promise<void>) => Promise<unknown>,
): Promise<{ seconds: number; bars: TextBar[] }> {
  const bars: TextBar[] = [];
  const started = performance.now();
  const since = () => Math.round(performance.now() - started);
  await work(async function timedCall(name) {
    const startMs = since();
    await callOnce();
    bars.push({ label: name, startMs, endMs: since() });
  });
  const seconds = (performance.now() - started) / 1000;
  console.log(`${label.padEnd(34)} ${seconds.toFixed(2)} s`);
  return { seconds, bars };
}

try {
  // A warm-up call keeps isolate start-up out of the first measurement.
  await callOnce();
  console.log(`2 requests to ${url}`);
  const sequential = await time("one after another (sync client):", async (call) => {
    await call("sequential 1");
    await call("sequential 2");
  });
  const concurrent = await time("both at once (async client):", (call) =>
    Promise.all([call("concurrent 1"), call("concurrent 2")]),
  );
  console.log(`speedup ${(sequential.seconds / concurrent.seconds).toFixed(2)}x`);
  // Each run from its own start, on one axis: the concurrent bars fit inside the sequential span.
  const byLabel = (a: TextBar, b: TextBar) => a.label.localeCompare(b.label);
  console.log(`\n${textWaterfall([...sequential.bars, ...concurrent.bars.sort(byLabel)])}`);
} catch (error) {
  console.error(`compare failed: ${error instanceof Error ? error.message : String(error)}`);
  console.error("Is the Worker running? Start it with `npm run dev`.");
  process.exitCode = 1;
}
