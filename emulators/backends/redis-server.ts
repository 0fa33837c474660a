/**
 * A private `redis-server` child process on a loopback port: started, crashed, restarted and stopped on demand.
 */
import { type ChildProcess, spawn } from "node:child_process";
import { mkdirSync } from "node:fs";
import { resolve } from "node:path";
import { Redis } from "ioredis";
import { FAIL_FAST, serverName, tracked } from "./redis-connection.ts";
import type { RedisBackend } from "./redis-types.ts";

const START_DEADLINE_MS = 10_000;

/**
 * Starts `binary` on `port` (throwaway, or with `persist` an append-only file in .data/redis) and resolves
 * once it answers PING.
 * @example
 * const backend = await serverBackend("/usr/bin/redis-server", await freePort(), false, console.log);
 * await backend.kill?.(); // a crash
 * await backend.restart?.();
 */
export async function serverBackend(
  binary: string,
  port: number,
  persist: boolean,
  log: (line: string) => void,
): Promise<RedisBackend> {
  const args = ["--port", String(port), "--bind", "127.0.0.1"];
  if (persist) {
    const dir = resolve(".data/redis");
    mkdirSync(dir, { recursive: true });
    args.push("--dir", dir, "--appendonly", "yes");
  } else {
    args.push("--save", "", "--appendonly", "no");
  }
  let child: ChildProcess | undefined;
  // Last resort so an abandoned test run or crashed CLI does not leave a server holding the port.
  const killOnExit = () => child?.kill("SIGKILL");
  const halt = async (signal: NodeJS.Signals) => {
    const running = child;
    child = undefined;
    if (running) await stopProcess(running, signal);
  };
  const launch = async () => {
    child = await launchServer(binary, args, port);
  };
  await launch();
  process.on("exit", killOnExit);
  const connections = tracked(() => new Redis(port, "127.0.0.1", FAIL_FAST));
  const url = `redis://127.0.0.1:${port}`;
  log(`redis-server ${persist ? "(persistent, .data/redis)" : "(throwaway)"} started at ${url}`);
  return {
    kind: "redis-server",
    url,
    server: await serverName(url),
    describe: `redis-server at ${url}${persist ? ", persisted in .data/redis" : ", throwaway (no persistence)"}`,
    connect: connections.connect,
    async stop() {
      connections.closeAll();
      await halt("SIGTERM");
      process.off("exit", killOnExit);
    },
    kill: () => halt("SIGKILL"),
    async restart() {
      await halt("SIGKILL");
      await launch();
    },
    pid: () => child?.pid,
  };
}

/** Spawns redis-server and resolves once it answers PING; rejects with its output if it exits first. */
async function launchServer(binary: string, args: string[], port: number): Promise<ChildProcess> {
  const child = spawn(binary, args, { stdio: ["ignore", "pipe", "pipe"] });
  let output = "";
  const keepTail = (chunk: Buffer) => {
    output = (output + chunk.toString("utf8")).slice(-2000);
  };
  child.stdout?.on("data", keepTail);
  child.stderr?.on("data", keepTail);
  const exited = new Promise<never>((_, reject) => {
    child.once("error", reject);
    child.once("exit", (code, signal) =>
      reject(new Error(`redis-server exited during startup (${signal ?? `code ${code}`}):\n${output}`)),
    );
  });
  // Only startup failures matter here; the exit at stop() time must not become an unhandled rejection.
  exited.catch(() => {});
  // The probe queues PING until its own reconnect loop reaches the port: readiness is an event, not a sleep.
  const probe = new Redis(port, "127.0.0.1", { retryStrategy: () => 20, maxRetriesPerRequest: null });
  probe.on("error", () => {});
  let deadline: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    deadline = setTimeout(
      () => reject(new Error(`redis-server not ready within ${START_DEADLINE_MS} ms`)),
      START_DEADLINE_MS,
    );
  });
  try {
    await Promise.race([probe.ping(), exited, timeout]);
    return child;
  } catch (error) {
    child.kill("SIGKILL");
    throw error;
  } finally {
    clearTimeout(deadline);
    probe.disconnect();
  }
}

async function stopProcess(child: ChildProcess, signal: NodeJS.Signals): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const gone = new Promise<void>((done) => child.once("exit", () => done()));
  child.kill(signal);
  const escalate = setTimeout(() => child.kill("SIGKILL"), 5000);
  await gone;
  clearTimeout(escalate);
}
