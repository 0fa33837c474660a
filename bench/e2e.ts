/**
 * End to end through `wrangler dev`: three GET routes under a constant-concurrency HTTP load, with wrk when it is
 * installed (C, so the load generator costs little of the two cores) and autocannon's CLI otherwise.
 */
import { execFile } from "node:child_process";
import { writeFileSync } from "node:fs";
import { createRequire } from "node:module";
import { dirname, join } from "node:path";
import { promisify } from "node:util";
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

const run = promisify(execFile);
const autocannonCli = join(
  dirname(createRequire(import.meta.url).resolve("autocannon/package.json")),
  "autocannon.js",
);

// wrk prints a human summary; this prints one JSON line after it, which is what we read.
const WRK_REPORT = `done = function(summary, latency, requests)
  local e = summary.errors
  io.write(string.format('{"requests":%d,"durationUs":%d,"errors":%d,"p50Us":%.0f,"p99Us":%.0f}\\n',
    summary.requests, summary.duration, e.connect + e.read + e.write + e.status + e.timeout,
    latency:percentile(50), latency:percentile(99)))
end
`;

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
  const wrk = await findWrk();
  const rows: EndToEndRow[] = [];
  for (const route of END_TO_END_ROUTES) {
    const url = `${workerUrl}${route}`;
    // A route that fails outright would show up only as an error count; fail with its answer instead.
    await getJson(url, options.signal);
    rows.push(
      wrk ? await loadWithWrk(wrk, url, route, options) : await loadWithAutocannon(url, route, options),
    );
  }
  return rows;
}

interface LoadOptions {
  connections: number;
  seconds: number;
  tmpDir: string;
  signal: AbortSignal;
}

async function findWrk(): Promise<string | undefined> {
  try {
    const { stdout } = await run("/bin/sh", ["-c", "command -v wrk"]);
    return stdout.trim() || undefined;
  } catch {
    return undefined;
  }
}

async function loadWithWrk(
  wrk: string,
  url: string,
  route: string,
  options: LoadOptions,
): Promise<EndToEndRow> {
  const script = join(options.tmpDir, "wrk-report.lua");
  writeFileSync(script, WRK_REPORT);
  const threads = String(Math.min(2, options.connections));
  const args = [
    "-t",
    threads,
    "-c",
    String(options.connections),
    "-d",
    `${options.seconds}s`,
    "-s",
    script,
    url,
  ];
  const { stdout } = await run(wrk, args, { signal: options.signal });
  const line = stdout
    .trim()
    .split("\n")
    .findLast((text) => text.startsWith("{"));
  if (!line) throw new Error(`wrk printed no summary for ${url}:\n${stdout}`);
  const report = JSON.parse(line) as {
    requests: number;
    durationUs: number;
    errors: number;
    p50Us: number;
    p99Us: number;
  };
  const seconds = report.durationUs / 1e6;
  return {
    route,
    tool: "wrk",
    connections: options.connections,
    seconds,
    requests: report.requests,
    rps: report.requests / seconds,
    p50Ms: report.p50Us / 1000,
    p99Ms: report.p99Us / 1000,
    errors: report.errors,
  };
}

async function loadWithAutocannon(url: string, route: string, options: LoadOptions): Promise<EndToEndRow> {
  const args = [autocannonCli, "-c", String(options.connections), "-d", String(options.seconds), "-j", url];
  const { stdout } = await run(process.execPath, args, {
    signal: options.signal,
    maxBuffer: 16 * 1024 * 1024,
  });
  const report = JSON.parse(stdout) as {
    duration: number;
    requests: { total: number };
    latency: { p50: number; p99: number };
    errors: number;
    timeouts: number;
    non2xx: number;
  };
  return {
    route,
    tool: "autocannon",
    connections: options.connections,
    seconds: report.duration,
    requests: report.requests.total,
    rps: report.requests.total / report.duration,
    p50Ms: report.latency.p50,
    p99Ms: report.latency.p99,
    errors: report.errors + report.timeouts + report.non2xx,
  };
}
