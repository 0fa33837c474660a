/**
 * Runs wrangler from node_modules: the D1 migrations, and `wrangler dev` in its own process group (so stopping it
 * also stops workerd and esbuild), ready once the Worker answers GET /health.
 */
import { type ChildProcess, spawn } from "node:child_process";
import { createRequire } from "node:module";
import { dirname, join } from "node:path";
import { createInterface } from "node:readline";
import { setTimeout as delay } from "node:timers/promises";
import { StartupError, type Supervisor } from "../emulators/supervise.ts";
import { killGroupIfParentDies, stopProcessGroup } from "./processes.ts";

// The CLI itself rather than bin/wrangler.js, which only re-spawns it: one process less to signal and reap.
const wranglerCli = join(
  dirname(createRequire(import.meta.url).resolve("wrangler/package.json")),
  "wrangler-dist/cli.js",
);
const READY_TIMEOUT_MS = 60_000;
const TAIL_LINES = 30;

/** A running wrangler command, with the last lines it printed (for error messages). */
interface WranglerRun {
  child: ChildProcess;
  /** Resolves with how the process ended; never rejects. */
  exited: Promise<string>;
  tail: string[];
  /** Set to see every later line as it is printed. */
  onLine?: (line: string) => void;
}

/**
 * Applies migrations/d1 to the local D1 database that `wrangler dev --persist-to stateDir` uses.
 *
 * @example
 * ```ts
 * await applyD1Migrations("/repo", "/repo/.wrangler/state", supervisor.signal);
 * ```
 */
export async function applyD1Migrations(
  projectDir: string,
  stateDir: string,
  signal: AbortSignal,
): Promise<void> {
  const run = runWrangler(
    projectDir,
    ["d1", "migrations", "apply", "DB", "--local", "--persist-to", stateDir],
    false,
  );
  const interrupt = () => run.child.kill("SIGINT");
  signal.addEventListener("abort", interrupt, { once: true });
  const how = await run.exited;
  signal.removeEventListener("abort", interrupt);
  signal.throwIfAborted();
  if (run.child.exitCode !== 0) {
    throw new StartupError(
      `Applying the D1 migrations (wrangler d1 migrations apply DB --local) failed (${how}); fix the migration or ` +
        `delete ${join(stateDir, "v3", "d1")} to start afresh. wrangler said:\n${run.tail.join("\n")}`,
    );
  }
}

/** `wrangler dev`, answering on `url`. */
export interface WranglerDev {
  url: string;
  /** Process group id: wrangler, workerd and esbuild all belong to it. */
  pgid: number;
  exited: Promise<string>;
  /** Prints wrangler's request log from now on. */
  forwardLogs(print: (line: string) => void): void;
}

/**
 * Starts `wrangler dev` on 127.0.0.1:`port` with the variables in `envFile`, registers its stop with the supervisor,
 * and resolves once GET /health answers (any status: a degraded backend is reported, not waited for).
 *
 * @example
 * ```ts
 * const worker = await startWranglerDev({ projectDir, port: 8787, envFile, stateDir, supervisor });
 * await fetch(`${worker.url}/health`);
 * ```
 */
export async function startWranglerDev(options: {
  projectDir: string;
  port: number;
  envFile: string;
  stateDir: string;
  supervisor: Supervisor;
}): Promise<WranglerDev> {
  const { projectDir, port, envFile, stateDir, supervisor } = options;
  const args = [
    "dev",
    "--ip",
    "127.0.0.1",
    "--port",
    `${port}`,
    "--env-file",
    envFile,
    "--persist-to",
    stateDir,
  ];
  const run = runWrangler(projectDir, [...args, "--show-interactive-dev-session=false"], true);
  const pgid = run.child.pid;
  if (pgid === undefined) throw new StartupError(`Could not start wrangler dev: ${await run.exited}.`);
  const release = killGroupIfParentDies(pgid);
  supervisor.defer("wrangler dev", async () => {
    await stopProcessGroup(run.child);
    release();
  });
  const url = `http://127.0.0.1:${port}`;
  await waitForHealth(url, run, supervisor.signal);
  return { url, pgid, exited: run.exited, forwardLogs: (print) => (run.onLine = print) };
}

function runWrangler(projectDir: string, args: string[], detached: boolean): WranglerRun {
  const child = spawn(process.execPath, ["--no-warnings", wranglerCli, ...args], {
    cwd: projectDir,
    detached,
    stdio: ["ignore", "pipe", "pipe"],
    env: { ...process.env, WRANGLER_SEND_METRICS: "false", CLOUDFLARE_CF_FETCH_ENABLED: "false" },
  });
  const run: WranglerRun = { child, tail: [], exited: Promise.resolve("") };
  run.exited = new Promise((resolve) => {
    child.once("error", (error) => resolve(error.message));
    child.once("exit", (code, signal) => resolve(signal ? `killed by ${signal}` : `exit code ${code}`));
  });
  for (const stream of [child.stdout, child.stderr]) {
    if (!stream) continue;
    createInterface({ input: stream }).on("line", (line) => {
      run.tail.push(line);
      if (run.tail.length > TAIL_LINES) run.tail.shift();
      run.onLine?.(line);
    });
  }
  return run;
}

/** Probes GET /health until it answers; fails early when wrangler exits, when aborted, or after READY_TIMEOUT_MS. */
async function waitForHealth(url: string, run: WranglerRun, signal: AbortSignal): Promise<void> {
  const deadline = Date.now() + READY_TIMEOUT_MS;
  let ended: string | undefined;
  void run.exited.then((how) => {
    ended = how;
  });
  for (;;) {
    signal.throwIfAborted();
    if (ended !== undefined) {
      throw new StartupError(
        `wrangler dev exited (${ended}) before the Worker answered on ${url}; fix what it reports below ` +
          `and run the command again. wrangler said:\n${run.tail.join("\n")}`,
      );
    }
    const answered = await fetch(`${url}/health`, {
      signal: AbortSignal.any([signal, AbortSignal.timeout(5000)]),
    })
      .then(async (response) => {
        await response.body?.cancel();
        return true;
      })
      .catch(() => false);
    if (answered) return;
    if (Date.now() > deadline) {
      throw new StartupError(
        `The Worker did not answer GET ${url}/health within ${READY_TIMEOUT_MS / 1000} s; see wrangler's output ` +
          `below, and retry with a free PORT if another server holds ${url}:\n${run.tail.join("\n")}`,
      );
    }
    await delay(100, undefined, { signal }).catch(() => undefined);
  }
}
