/** Small network helpers the bench's parts share. */
import { createServer } from "node:net";

/**
 * A port that was free on 127.0.0.1 a moment ago (the OS picks it; a tiny race with other processes remains).
 *
 * @example
 * ```ts
 * const port = await freePort(); // e.g. 41873
 * ```
 */
export async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((done, fail) => server.once("error", fail).listen(0, "127.0.0.1", done));
  const address = server.address();
  await new Promise<void>((done) => server.close(() => done()));
  if (address === null || typeof address === "string") throw new Error("could not allocate a free port");
  return address.port;
}

/**
 * GETs `url` and returns its JSON body, failing with the status and body when the answer is not 2xx.
 *
 * @example
 * ```ts
 * const run = await getJson<{ elapsedMs: number }>("http://127.0.0.1:8787/timing/sync", signal);
 * ```
 */
export async function getJson<T>(url: string, signal: AbortSignal): Promise<T> {
  const response = await fetch(url, { signal });
  const text = await response.text();
  if (!response.ok) throw new Error(`GET ${url} answered ${response.status}: ${text.slice(0, 300)}`);
  return JSON.parse(text) as T;
}
