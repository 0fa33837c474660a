/**
 * End to end through `wrangler dev`: three GET routes under a constant-concurrency HTTP load, with wrk when it is
 * installed (C, so the load generator costs little of the two cores) and autocannon's CLI otherwise.
 */
import { loadHttp } from "./http-load.ts";
import { getJson } from "./net.ts";

/** One route under load. */
export interface EndToEndRow {
  route: string;
  tool: "wrk" | "autocannon";
  connections: number;
  seconds: number;
  requests: number;
  rps: number;
  p50Ms: number;
  p99Ms: number;
  /** Connection errors, timeouts and non-2xx answers; anything but 0 is a failure. */
  errors: number;
}

/** A Redis read, a SQL read and a handler that awaits nothing: the cost of the backends over the bare Worker. */
export const END_TO_END_ROUTES = ["/redis/hashes/car", "/sql/cars/1", "/timing/sync"];

/**
 * Checks each route answers 200 once, then loads it for `seconds` with `connections` keep-alive connections.
 *
 * @example
 * ```ts
 * const rows = await benchEndToEnd(workerUrl, { connections: 16, seconds: 10, tmpDir, signal });
 * rows.every((row) => row.errors === 0);
 * ```
 */
export async function benchEndToEnd(
  workerUrl: string,
  options: { connections: number; seconds: number; tmpDir: string; signal: AbortSignal },
): Promise<EndToEndRow[]> {
  const rows: EndToEndRow[] = [];
  for (const route of END_TO_END_ROUTES) {
    const url = `${workerUrl}${route}`;
    // A route that fails outright would show up only as an error count; fail with its answer instead.
    await getJson(url, options.signal);
    const plan = {
      durationMs: options.seconds * 1000,
      warmupMs: 0,
      tmpDir: options.tmpDir,
      signal: options.signal,
    };
    const { tool, seconds, requests, rps, p50Ms, p99Ms, errors } = await loadHttp(
      { url, headers: {} },
      options.connections,
      plan,
    );
    rows.push({
      route,
      tool,
      connections: options.connections,
      seconds,
      requests,
      rps,
      p50Ms,
      p99Ms,
      errors,
    });
  }
  return rows;
}
