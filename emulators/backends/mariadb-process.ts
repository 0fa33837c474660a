/**
 * The server as a child process: stale run files cleared, spawned detached with a watchdog, stopped by signal.
 */
import { type ChildProcess, spawn } from "node:child_process";
import fs from "node:fs";
import type net from "node:net";
import path from "node:path";
import readline from "node:readline";
import { setTimeout as delay } from "node:timers/promises";
import { whenParentDies } from "./host.ts";
import { type ServerPlan, TAIL_LINES, userArgs } from "./mariadb-binary.ts";

/**
 * A launched server process and what it has said so far.
 * @example const server: RunningServer = launchServer(plan); console.log(await server.exited);
 */
export interface RunningServer {
  child: ChildProcess;
  /** Resolves with a description of how the process ended; never rejects. */
  exited: Promise<string>;
  exitReason?: string;
  /** The last lines the server logged, for error messages. */
  tail: string[];
}

const STOP_TIMEOUT_MS = 30_000;

/**
 * Clears what a killed predecessor left behind and spawns the server; it is not ready until it answers.
 * @example const server = launchServer(plan); await waitUntilReady(probe, server);
 */
export function launchServer(plan: ServerPlan): RunningServer {
  clearStaleRunFiles(plan);
  // detached: Ctrl-C in a terminal must not hit the server directly; the watchdog shuts it down cleanly instead.
  const child = spawn(plan.binary, serverArgs(plan), { stdio: ["ignore", "ignore", "pipe"], detached: true });
  const server: RunningServer = { child, tail: [], exited: Promise.resolve("") };
  server.exited = new Promise<string>((resolve) => {
    child.once("error", (error) => resolve(error.message));
    child.once("close", (code, signal) => resolve(signal ? `killed by ${signal}` : `exit code ${code}`));
  }).then((reason) => {
    server.exitReason = reason;
    return reason;
  });
  if (child.stderr) {
    readline.createInterface({ input: child.stderr }).on("line", (line) => {
      server.tail.push(line);
      if (server.tail.length > TAIL_LINES) server.tail.shift();
      plan.log(line);
    });
    (child.stderr as net.Socket).unref();
  }
  if (child.pid !== undefined) {
    // Node cannot have the kernel stop the server when this process dies; a watchdog does, unless it exited first.
    const release = whenParentDies('kill -s TERM "$1"', child.pid);
    void server.exited.then(release);
  }
  // The caller's stop() ends the server; a forgotten one must not keep Node alive (the watchdog then stops it).
  child.unref();
  return server;
}

/**
 * Sends `signal` and resolves once the server has exited (SIGKILL after 30 s); a no-op when it already has.
 * @example await stopServer(server, "SIGTERM");
 */
export async function stopServer(server: RunningServer, signal: "SIGTERM" | "SIGKILL"): Promise<void> {
  if (server.exitReason !== undefined) return;
  // Unreferenced while it runs (see launchServer), the server must hold Node open until it has exited.
  server.child.ref();
  (server.child.stderr as net.Socket | null)?.ref();
  server.child.kill(signal);
  const stopped = await Promise.race([
    server.exited.then(() => true),
    delay(STOP_TIMEOUT_MS, false, { ref: false }),
  ]);
  if (!stopped) {
    server.child.kill("SIGKILL");
    await server.exited;
  }
}

function serverArgs(plan: ServerPlan): string[] {
  const args = [
    "--no-defaults",
    `--datadir=${plan.dataDir}`,
    `--socket=${plan.socket}`,
    `--pid-file=${path.join(plan.dataDir, "mysqld.pid")}`,
    `--port=${plan.port}`,
    "--bind-address=127.0.0.1",
    // PlanetScale (MySQL 8) defaults to utf8mb4 and UTC; MariaDB's defaults are latin1 and the host's zone.
    "--character-set-server=utf8mb4",
    "--default-time-zone=+00:00",
    ...userArgs(),
  ];
  // MySQL 8 also opens the X protocol on 33060, which would clash between two servers.
  return plan.flavor === "mysqld" ? [...args, "--mysqlx=OFF"] : args;
}

/**
 * A server killed with SIGKILL leaves its pid file, socket and (MySQL) socket lock behind; MySQL refuses to start
 * when the lock names a live pid, so they go, unless the pid really is a server still running on this data dir.
 */
function clearStaleRunFiles(plan: ServerPlan): void {
  const pidFile = path.join(plan.dataDir, "mysqld.pid");
  const pid = fs.existsSync(pidFile) ? Number.parseInt(fs.readFileSync(pidFile, "utf8"), 10) : Number.NaN;
  if (pid > 0 && isServerOn(pid, plan.dataDir)) {
    throw new Error(
      `A MySQL server (pid ${pid}) is still running on ${plan.dataDir}; stop it (kill ${pid}) or pass another dataDir.`,
    );
  }
  for (const file of [pidFile, plan.socket, `${plan.socket}.lock`]) fs.rmSync(file, { force: true });
}

function isServerOn(pid: number, dataDir: string): boolean {
  try {
    return fs.readFileSync(`/proc/${pid}/cmdline`, "utf8").includes(`--datadir=${dataDir}`);
  } catch {
    return false;
  }
}
