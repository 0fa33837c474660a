/**
 * One fixed HTTP request under a constant-concurrency load from a generator that is not a Node client: wrk when
 * it is installed (C, so it takes little of the CPU the endpoint needs), autocannon's CLI otherwise.
 * This measures the endpoint alone, not a client library's overhead on top of it.
 */
import { execFile } from "node:child_process";
import { writeFileSync } from "node:fs";
import { createRequire } from "node:module";
import { dirname, join } from "node:path";
import { promisify } from "node:util";
import type { Comparison, LoadResult } from "./load.ts";

/** The request every connection repeats: a POST with `body`, or a GET without one. */
export interface FixedRequest {
  url: string;
  headers: Record<string, string>;
  body?: string;
}

/** How long and how hard; `tmpDir` holds wrk's script. */
export interface HttpLoadPlan {
  durationMs: number;
  warmupMs: number;
  /** Back-to-back rounds of each comparison; the one with the median ratio is kept. */
  rounds: number;
  tmpDir: string;
  signal: AbortSignal;
}

const run = promisify(execFile);
const autocannonCli = join(
  dirname(createRequire(import.meta.url).resolve("autocannon/package.json")),
  "autocannon.js",
);

/**
 * Warms up (unless `warmupMs` is 0), then loads `request` over `connections` keep-alive connections for the
 * plan's duration. Non-2xx answers count as errors.
 *
 * @example
 * ```ts
 * const result = await loadHttp({ url, headers, body: '["hgetall","k"]' }, 16, plan);
 * result.rps;
 * ```
 */
export async function loadHttp(
  request: FixedRequest,
  connections: number,
  plan: Omit<HttpLoadPlan, "rounds">,
): Promise<LoadResult & { tool: "wrk" | "autocannon" }> {
  const wrk = await findWrk();
  const once = (ms: number) =>
    wrk
      ? withWrk(wrk, request, connections, ms, plan)
      : withAutocannon(request, connections, ms, plan.signal);
  if (plan.warmupMs > 0) await once(plan.warmupMs);
  plan.signal.throwIfAborted();
  return { ...(await once(plan.durationMs)), tool: wrk ? "wrk" : "autocannon" };
}

/**
 * Measures both sides `rounds` times, endpoint then direct each round so both see the same background load, and
 * keeps the round with the median ratio: on a shared machine one round can be off by a factor of two.
 *
 * @example
 * ```ts
 * const row = await medianRound("HGETALL", 16, 3, () => loadHttp(request, 16, plan), () => redisBenchmark(16));
 * ```
 */
export async function medianRound(
  operation: string,
  concurrency: number,
  rounds: number,
  endpoint: () => Promise<LoadResult>,
  direct: () => Promise<LoadResult>,
): Promise<Comparison> {
  const measured: Comparison[] = [];
  for (let round = 0; round < Math.max(1, rounds); round++) {
    const viaEndpoint = await endpoint();
    const viaDirect = await direct();
    const ratio = viaEndpoint.rps > 0 ? viaDirect.rps / viaEndpoint.rps : Number.POSITIVE_INFINITY;
    measured.push({ operation, concurrency, endpoint: viaEndpoint, direct: viaDirect, ratio });
  }
  measured.sort((a, b) => a.ratio - b.ratio);
  return measured[Math.floor(measured.length / 2)]!;
}

async function findWrk(): Promise<string | undefined> {
  try {
    const { stdout } = await run("/bin/sh", ["-c", "command -v wrk"]);
    return stdout.trim() || undefined;
  } catch {
    return undefined;
  }
}

/** wrk's Lua: the fixed request, and one JSON line with the figures at the end (after wrk's own summary). */
function wrkScript(request: FixedRequest): string {
  const headers = Object.entries(request.headers)
    .map(([name, value]) => `wrk.headers[${JSON.stringify(name)}] = ${JSON.stringify(value)}`)
    .join("\n");
  const body = request.body === undefined ? "" : `wrk.body = ${JSON.stringify(request.body)}\n`;
  return `wrk.method = "${request.body === undefined ? "GET" : "POST"}"
${body}${headers}
done = function(summary, latency, requests)
  local e = summary.errors
  io.write(string.format('{"requests":%d,"durationUs":%d,"errors":%d,"p50Us":%.0f,"p99Us":%.0f}\\n',
    summary.requests, summary.duration, e.connect + e.read + e.write + e.status + e.timeout,
    latency:percentile(50), latency:percentile(99)))
end
`;
}

async function withWrk(
  wrk: string,
  request: FixedRequest,
  connections: number,
  durationMs: number,
  plan: Omit<HttpLoadPlan, "rounds">,
): Promise<LoadResult> {
  const script = join(plan.tmpDir, "http-load.lua");
  writeFileSync(script, wrkScript(request));
  const seconds = Math.max(1, Math.round(durationMs / 1000));
  const args = ["-t1", `-c${connections}`, `-d${seconds}s`, "--timeout", "10s", "-s", script, request.url];
  const { stdout } = await run(wrk, args, { signal: plan.signal });
  const line = stdout.split("\n").find((text) => text.startsWith("{"));
  if (!line) throw new Error(`wrk printed no summary for ${request.url}:\n${stdout}`);
  const report = JSON.parse(line) as {
    requests: number;
    durationUs: number;
    errors: number;
    p50Us: number;
    p99Us: number;
  };
  const elapsed = report.durationUs / 1e6;
  return {
    concurrency: connections,
    requests: report.requests - report.errors,
    errors: report.errors,
    ...(report.errors > 0 ? { firstError: "wrk counted failed requests or non-2xx answers" } : {}),
    seconds: elapsed,
    rps: (report.requests - report.errors) / elapsed,
    p50Ms: report.p50Us / 1000,
    p99Ms: report.p99Us / 1000,
  };
}

/** autocannon's CLI in a process of its own, so that it does not share an event loop with anything measured. */
async function withAutocannon(
  request: FixedRequest,
  connections: number,
  durationMs: number,
  signal: AbortSignal,
): Promise<LoadResult> {
  const headers = Object.entries(request.headers).flatMap(([name, value]) => ["-H", `${name}=${value}`]);
  const seconds = String(Math.max(1, Math.round(durationMs / 1000)));
  const method = request.body === undefined ? ["-m", "GET"] : ["-m", "POST", "-b", request.body];
  const args = [autocannonCli, "-c", String(connections), "-d", seconds, ...method, ...headers];
  const { stdout } = await run(process.execPath, [...args, "-j", request.url], {
    signal,
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
  const errors = report.errors + report.timeouts + report.non2xx;
  const succeeded = report.requests.total - report.non2xx;
  return {
    concurrency: connections,
    requests: succeeded,
    errors,
    ...(errors > 0 ? { firstError: "autocannon counted errors, timeouts or non-2xx answers" } : {}),
    seconds: report.duration,
    rps: succeeded / report.duration,
    p50Ms: report.latency.p50,
    p99Ms: report.latency.p99,
  };
}
