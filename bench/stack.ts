/**
 * Starts what the bench measures: the servers (bench/backends.ts, in their own process group) and the Worker under
 * `wrangler dev` (dev/wrangler.ts, as `npm run dev` starts it), all on free ports with their data in a temp dir.
 * Everything is registered with the supervisor, and watchdogs end it even if the bench itself is killed.
 */
import { spawn } from "node:child_process";
import { writeFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { createInterface } from "node:readline";
import { fileURLToPath } from "node:url";
import { killGroupIfParentDies, stopProcessGroup } from "../dev/processes.ts";
import { startWranglerDev } from "../dev/wrangler.ts";
import { freePort } from "../emulators/backends/host.ts";
import { StartupError, type Supervisor } from "../emulators/supervise.ts";
import type { Backends } from "./backends.ts";

/** The servers, plus the Worker and how long `wrangler dev` took to answer. */
export interface BenchStack extends Backends {
  workerUrl: string;
  /** From spawning `wrangler dev` to its first answer on /health (probed every 100 ms). */
  workerReadyMs: number;
}

const projectDir = resolve(fileURLToPath(new URL("..", import.meta.url)));
const backendsScript = fileURLToPath(new URL("backends.ts", import.meta.url));
// MariaDB finishes its shutdown before the backends process exits; it needs a few seconds on a busy machine.
const BACKENDS_STOP_GRACE_MS = 20_000;

/**
 * Starts the servers and the Worker; the Worker gets the endpoints' addresses, ENVIRONMENT=development (loopback
 * crawl targets) and RATE_LIMITS=off, because wrangler dev sets cf-connecting-ip on every request and the
 * per-IP limits would otherwise answer 429 within the first second of load.
 *
 * @example
 * ```ts
 * const stack = await startBenchStack(supervisor, tmpDir);
 * await fetch(`${stack.workerUrl}/timing/sync`);
 * ```
 */
export async function startBenchStack(supervisor: Supervisor, tmpDir: string): Promise<BenchStack> {
  const backends = await startBackends(supervisor, join(tmpDir, "data"));
  supervisor.signal.throwIfAborted();
  const envFile = join(tmpDir, "worker.env");
  const vars = {
    ENVIRONMENT: "development",
    RATE_LIMITS: "off",
    UPSTASH_REDIS_REST_URL: backends.upstashUrl,
    UPSTASH_REDIS_REST_TOKEN: backends.token,
    DATABASE_URL: backends.planetscaleUrl,
  };
  // Loopback URLs and a base64url token: no quote, `$` or line break that would need escaping for dotenv.
  const lines = Object.entries(vars).map(([name, value]) => `${name}='${value}'`);
  writeFileSync(envFile, `${lines.join("\n")}\n`, { mode: 0o600 });
  const port = await freePort();
  const started = performance.now();
  const worker = await startWranglerDev({
    projectDir,
    port,
    envFile,
    stateDir: join(tmpDir, "wrangler"),
    supervisor,
  });
  return { ...backends, workerUrl: worker.url, workerReadyMs: performance.now() - started };
}

/** Spawns bench/backends.ts in its own process group and resolves with the JSON line it prints when ready. */
async function startBackends(supervisor: Supervisor, dataDir: string): Promise<Backends> {
  const child = spawn(process.execPath, [backendsScript, dataDir], {
    cwd: projectDir,
    detached: true,
    stdio: ["ignore", "pipe", "pipe"],
  });
  const pgid = child.pid;
  if (pgid === undefined) throw new StartupError("Could not start the bench's servers (bench/backends.ts).");
  const release = killGroupIfParentDies(pgid);
  supervisor.defer("the servers", async () => {
    await stopProcessGroup(child, BACKENDS_STOP_GRACE_MS);
    release();
  });
  const errors: string[] = [];
  if (child.stderr) createInterface({ input: child.stderr }).on("line", (line) => errors.push(line));
  const exited = new Promise<never>((_, reject) => {
    child.once("exit", (code, signal) => {
      const how = signal ? `killed by ${signal}` : `exit code ${code}`;
      reject(new StartupError(`The bench's servers failed to start (${how}):\n${errors.join("\n")}`));
    });
  });
  const aborted = new Promise<never>((_, reject) => {
    supervisor.signal.addEventListener("abort", () => reject(supervisor.signal.reason), { once: true });
  });
  const ready = new Promise<string>((done) => {
    if (child.stdout) createInterface({ input: child.stdout }).once("line", done);
  });
  // The losers of the race must not become unhandled rejections when the process ends or a signal arrives later.
  exited.catch(() => {});
  aborted.catch(() => {});
  const line = await Promise.race([ready, exited, aborted]);
  try {
    return JSON.parse(line) as Backends;
  } catch {
    throw new StartupError(`The bench's servers printed "${line}" instead of their addresses.`);
  }
}
