/**
 * The load test of issue 7: the local stack exactly as `npm run dev` runs it (`node dev/cli.ts`, on free ports and
 * a temp data dir, with redis-server and MariaDB when installed), then 10,000 requests at 64 connections across the
 * patterns with autocannon, the Worker's rate limits off. `node test/e2e/load.ts` prints the figures;
 * test/e2e/load.test.ts asserts on them.
 */
import { spawn } from "node:child_process";
import { once } from "node:events";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import autocannon from "autocannon";
import { freePort, whenParentDies } from "../../emulators/backends/host.ts";

const projectDir = join(import.meta.dirname, "../..");
const READY_TIMEOUT_MS = 90_000;
const STOP_TIMEOUT_MS = 30_000;

/** The mix every connection cycles through: reads of each pattern over the seed data, and the cheap routes. */
export const LOAD_REQUESTS = [
  "/redis/hashes/car",
  "/sql/cars/1",
  "/timing/sync",
  "/sql/stats",
  "/redis/hashes/car/fields/model",
  "/sql/cars?limit=5",
  "/health",
];

export interface LoadFigures {
  requests: number;
  connections: number;
  durationS: number;
  requestsPerSecond: number;
  p50Ms: number;
  p99Ms: number;
  maxMs: number;
  errors: number;
  timeouts: number;
  non2xx: number;
  statusCodes: Record<string, number>;
}

export interface LocalStack {
  url: string;
  /** Everything the CLI printed so far, for failure messages. */
  output(): string;
  stop(): Promise<void>;
}

/**
 * Starts `node dev/cli.ts` with `RATE_LIMITS=off` (the CLI hands that setting to the Worker) and resolves once
 * it prints "Ready"; rejects with its output if it exits first.
 */
export async function startLocalStack(): Promise<LocalStack> {
  const dataDir = mkdtempSync(join(tmpdir(), "eap-load-"));
  const ports = {
    PORT: await freePort(),
    UPSTASH_PORT: await freePort(),
    PLANETSCALE_PORT: await freePort(),
  };
  const env: NodeJS.ProcessEnv = {
    PATH: process.env.PATH,
    HOME: process.env.HOME ?? dataDir,
    ...(process.env.CI ? { CI: process.env.CI } : {}),
    ...Object.fromEntries(Object.entries(ports).map(([name, port]) => [name, String(port)])),
    DATA_DIR: dataDir,
    RATE_LIMITS: "off",
    WRANGLER_SEND_METRICS: "false",
  };
  // Its own process group, so a watchdog can stop it (and all it started) should this process die.
  const child = spawn(process.execPath, ["dev/cli.ts"], { cwd: projectDir, env, detached: true });
  // Should this process die, the CLI's group gets SIGINT, as Ctrl-C would.
  const release = child.pid === undefined ? () => {} : whenParentDies('kill -s INT -- "-$1"', child.pid);
  let output = "";
  for (const stream of [child.stdout, child.stderr]) stream?.on("data", (chunk: Buffer) => (output += chunk));
  const exited = once(child, "exit");
  const stop = async () => {
    if (child.exitCode === null && child.signalCode === null) {
      child.kill("SIGINT");
      const timer = setTimeout(() => child.kill("SIGKILL"), STOP_TIMEOUT_MS);
      await exited;
      clearTimeout(timer);
    }
    release();
    rmSync(dataDir, { recursive: true, force: true });
  };
  const ready = new Promise<void>((resolve, reject) => {
    child.stdout?.on("data", () => /Ready in/.test(output) && resolve());
    child.once("exit", (code, signal) => reject(new Error(`node dev/cli.ts exited (${signal ?? code})`)));
    setTimeout(() => reject(new Error(`not ready within ${READY_TIMEOUT_MS} ms`)), READY_TIMEOUT_MS).unref();
  });
  try {
    await ready;
  } catch (error) {
    await stop();
    throw new Error(`node dev/cli.ts did not get ready: ${(error as Error).message}\n${output}`);
  }
  return { url: `http://127.0.0.1:${ports.PORT}`, output: () => output, stop };
}

/** Sends `amount` requests over `connections` connections, each cycling through LOAD_REQUESTS. */
export async function runLoad(url: string, amount = 10_000, connections = 64): Promise<LoadFigures> {
  const result = await autocannon({
    url,
    connections,
    amount,
    timeout: 10,
    requests: LOAD_REQUESTS.map((path) => ({ method: "GET", path })),
  });
  const statusCodes = Object.fromEntries(
    Object.entries(result.statusCodeStats).map(([status, { count }]) => [status, count]),
  );
  return {
    requests: result.requests.total,
    connections,
    durationS: result.duration,
    requestsPerSecond: Math.round(result.requests.total / result.duration),
    p50Ms: result.latency.p50,
    p99Ms: result.latency.p99,
    maxMs: result.latency.max,
    errors: result.errors,
    timeouts: result.timeouts,
    non2xx: result.non2xx,
    statusCodes,
  };
}

export function formatFigures(figures: LoadFigures): string {
  const statuses = Object.entries(figures.statusCodes)
    .map(([status, count]) => `${status}×${count}`)
    .join(" ");
  return [
    `${figures.requests} requests, ${figures.connections} connections, ${figures.durationS.toFixed(1)} s`,
    `${figures.requestsPerSecond} requests/s, latency p50 ${figures.p50Ms} ms, p99 ${figures.p99Ms} ms, max ${figures.maxMs} ms`,
    `errors ${figures.errors}, timeouts ${figures.timeouts}, non-2xx ${figures.non2xx} (${statuses})`,
  ].join("\n");
}

if (import.meta.main) {
  const stack = await startLocalStack();
  try {
    const figures = await runLoad(stack.url);
    console.log(formatFigures(figures));
    process.exitCode = figures.errors + figures.timeouts + figures.non2xx === 0 ? 0 : 1;
  } finally {
    await stack.stop();
  }
}
