/**
 * A MySQL-compatible server for the PlanetScale emulator: either one the caller already runs (a DATABASE_URL-style
 * `mysql://` URL) or a private `mariadbd`/`mysqld` bound to loopback, with its data kept between runs.
 */
import { type ChildProcess, execFile, spawn } from "node:child_process";
import fs from "node:fs";
import net from "node:net";
import os from "node:os";
import path from "node:path";
import readline from "node:readline";
import { setTimeout as delay } from "node:timers/promises";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";
import type { Connection, RowDataPacket } from "mysql2/promise";
import mysql from "mysql2/promise";

/**
 * A running MySQL-compatible server and how to reach it.
 * @example const db: MysqlBackend = await startMariaDb(); await db.stop();
 */
export interface MysqlBackend {
  kind: "external" | "mariadbd" | "mysqld";
  /** mysql://user:pass@127.0.0.1:port/db */
  url: string;
  describe: string;
  stop(): Promise<void>;
  /** Test hook (local servers only): SIGKILL the server, no clean shutdown, and wait until it is gone. */
  kill?(): Promise<void>;
  /** Test hook (local servers only): start the server again on the same port and data dir; resolves once it answers. */
  restart?(): Promise<void>;
  /** Test hook (local servers only): the running server's process id (undefined while it is down), to pause it. */
  pid?(): number | undefined;
}

/** @example { dataDir: "/tmp/db", port: 0, database: "app", log: console.log } */
export interface StartMariaDbOptions {
  /** DATABASE_URL-style mysql:// URL of an existing server; nothing is started then. */
  url?: string;
  /** Default `<project>/.data/mariadb`; kept between runs. */
  dataDir?: string;
  /** 0 or undefined picks a free port. */
  port?: number;
  /** Created if missing. Default: the database in `url`, else "app". */
  database?: string;
  log?: (line: string) => void;
}

type Flavor = "mariadbd" | "mysqld";

interface ServerPlan {
  binary: string;
  flavor: Flavor;
  dataDir: string;
  socket: string;
  port: number;
  database: string;
  log: (line: string) => void;
}

interface RunningServer {
  child: ChildProcess;
  /** Resolves with a description of how the process ended; never rejects. */
  exited: Promise<string>;
  exitReason?: string;
  /** The last lines the server logged, for error messages. */
  tail: string[];
}

interface ProbeTarget {
  host: string;
  port: number;
  user: string;
  password: string;
  database: string;
}

const DEFAULT_DATA_DIR = fileURLToPath(new URL("../../.data/mariadb", import.meta.url));
const READY_TIMEOUT_MS = 30_000;
const STOP_TIMEOUT_MS = 30_000;
const TAIL_LINES = 25;
const execFileAsync = promisify(execFile);
const INSTALL_HINT =
  "install one (apt-get install mariadb-server) or set DATABASE_URL to the mysql:// URL of a running server";

/**
 * Path of a `mariadbd` or `mysqld` binary on PATH or in /usr/sbin (where Debian puts it, often off a user's PATH).
 * @example const binary = findMysqlServer(); // "/usr/sbin/mariadbd" or undefined
 */
export function findMysqlServer(): string | undefined {
  return findExecutable(["mariadbd", "mysqld"], [...searchPath(), "/usr/sbin"]);
}

/**
 * Starts (or, with `url`, just checks) a MySQL-compatible server and makes sure the database exists.
 * @example
 * const db = await startMariaDb({ dataDir: fs.mkdtempSync(path.join(os.tmpdir(), "db-")) });
 * console.log(db.url); // mysql://root@127.0.0.1:40123/app
 * await db.stop();
 */
export async function startMariaDb(options: StartMariaDbOptions = {}): Promise<MysqlBackend> {
  const log = options.log ?? (() => {});
  if (options.url) return useExternalServer(options.url, options.database, log);
  const binary = findMysqlServer();
  if (!binary) {
    throw new Error(
      `No MySQL-compatible server found (mariadbd/mysqld, on PATH or in /usr/sbin): ${INSTALL_HINT}.`,
    );
  }
  const dataDir = path.resolve(options.dataDir ?? DEFAULT_DATA_DIR);
  const plan: ServerPlan = {
    binary,
    flavor: await detectFlavor(binary),
    dataDir,
    socket: socketPathFor(dataDir),
    port: options.port || (await freePort()),
    database: options.database ?? "app",
    log,
  };
  await initialiseDataDir(plan);
  const probe = { host: "127.0.0.1", port: plan.port, user: "root", password: "", database: plan.database };
  let server = launchServer(plan);
  let version = await waitUntilReady(probe, server);
  return {
    kind: plan.flavor,
    url: `mysql://root@127.0.0.1:${plan.port}/${encodeURIComponent(plan.database)}`,
    get describe() {
      return `${version} (${plan.flavor}, pid ${server.child.pid}) on 127.0.0.1:${plan.port}, data in ${plan.dataDir}`;
    },
    stop: () => stopServer(server, "SIGTERM"),
    kill: () => stopServer(server, "SIGKILL"),
    async restart() {
      await stopServer(server, "SIGTERM");
      server = launchServer(plan);
      version = await waitUntilReady(probe, server);
    },
    pid: () => (server.exitReason === undefined ? server.child.pid : undefined),
  };
}

async function useExternalServer(url: string, database: string | undefined, log: (line: string) => void) {
  const parsed = new URL(url);
  if (parsed.protocol !== "mysql:" && parsed.protocol !== "mariadb:") {
    throw new Error(`DATABASE_URL must be a mysql:// URL, got ${parsed.protocol}//…`);
  }
  const target: ProbeTarget = {
    host: parsed.hostname,
    port: Number(parsed.port || 3306),
    user: decodeURIComponent(parsed.username),
    password: decodeURIComponent(parsed.password),
    database: database ?? (decodeURIComponent(parsed.pathname.slice(1)) || "app"),
  };
  const version = await waitUntilReady(target);
  log(`using external ${version} at ${target.host}:${target.port}`);
  parsed.pathname = `/${encodeURIComponent(target.database)}`;
  const backend: MysqlBackend = {
    kind: "external",
    url: parsed.toString(),
    describe: `external ${version} at ${target.host}:${target.port}/${target.database}`,
    stop: async () => {},
  };
  return backend;
}

function searchPath(): string[] {
  return (process.env.PATH ?? "").split(path.delimiter).filter(Boolean);
}

function findExecutable(names: string[], dirs: string[]): string | undefined {
  for (const name of names) {
    for (const dir of dirs) {
      const candidate = path.join(dir, name);
      try {
        fs.accessSync(candidate, fs.constants.X_OK);
        if (fs.statSync(candidate).isFile()) return candidate;
      } catch {
        // not here; keep looking
      }
    }
  }
  return undefined;
}

/** Debian links `mysqld` to `mariadbd`, so the name alone does not tell which server this is. */
async function detectFlavor(binary: string): Promise<Flavor> {
  const { stdout } = await execFileAsync(binary, ["--no-defaults", "--version"]);
  return /mariadb/i.test(stdout) ? "mariadbd" : "mysqld";
}

/** Unix socket paths are limited to ~104 bytes; deep temp dirs (macOS) overflow that. */
function socketPathFor(dataDir: string): string {
  const inside = path.join(dataDir, "mysqld.sock");
  if (inside.length < 100) return inside;
  return path.join(os.tmpdir(), `mysqld-${Buffer.from(dataDir).toString("base64url").slice(-24)}.sock`);
}

async function freePort(): Promise<number> {
  const probe = net.createServer();
  await new Promise<void>((resolve) => probe.listen(0, "127.0.0.1", resolve));
  const address = probe.address();
  await new Promise((resolve) => probe.close(resolve));
  if (address === null || typeof address === "string") throw new Error("could not pick a free port");
  return address.port;
}

/** The server refuses to run as root unless told to with --user=root; other users must not pass it. */
function userArgs(): string[] {
  return process.getuid?.() === 0 ? ["--user=root"] : [];
}

/**
 * Creates the system tables once. It runs in a staging directory renamed into place on success, so a run killed
 * halfway leaves no half-initialised data dir that later runs would trust.
 */
async function initialiseDataDir(plan: ServerPlan): Promise<void> {
  if (fs.existsSync(path.join(plan.dataDir, "mysql"))) return;
  if (fs.existsSync(plan.dataDir) && fs.readdirSync(plan.dataDir).length > 0) {
    throw new Error(
      `${plan.dataDir} is not empty but holds no MySQL data (no mysql/ folder); delete it or pass another dataDir.`,
    );
  }
  const staging = `${plan.dataDir}.initialising`;
  fs.rmSync(staging, { recursive: true, force: true });
  fs.mkdirSync(path.dirname(plan.dataDir), { recursive: true });
  const [command, args] = initCommand(plan, staging);
  plan.log(`initialising ${plan.dataDir} with ${command}`);
  // A private temp dir: bootstrap temp tables in a shared /tmp were seen to vanish while several ran at once.
  const tmpdir = fs.mkdtempSync(path.join(os.tmpdir(), "mariadb-init-"));
  try {
    await execFileAsync(command, [...args, `--tmpdir=${tmpdir}`], { timeout: 120_000 });
  } catch (error) {
    const stderr = (error as { stderr?: string }).stderr ?? "";
    throw new Error(
      `Initialising ${plan.dataDir} with ${command} failed: ${lastLines(stderr) || String(error)}`,
    );
  } finally {
    fs.rmSync(tmpdir, { recursive: true, force: true });
  }
  fs.rmSync(plan.dataDir, { recursive: true, force: true });
  fs.renameSync(staging, plan.dataDir);
}

function initCommand(plan: ServerPlan, dataDir: string): [string, string[]] {
  if (plan.flavor === "mysqld") {
    return [plan.binary, ["--no-defaults", "--initialize-insecure", `--datadir=${dataDir}`, ...userArgs()]];
  }
  const serverDir = path.dirname(plan.binary);
  const dirs = [
    ...searchPath(),
    "/usr/bin",
    serverDir,
    path.join(serverDir, "../bin"),
    path.join(serverDir, "../scripts"),
  ];
  const installer = findExecutable(["mariadb-install-db", "mysql_install_db"], dirs);
  if (!installer) throw new Error(`mariadb-install-db not found next to ${plan.binary}: ${INSTALL_HINT}.`);
  const args = [
    "--no-defaults",
    `--datadir=${dataDir}`,
    "--auth-root-authentication-method=normal",
    "--skip-test-db",
  ];
  return [installer, [...args, ...userArgs()]];
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

function launchServer(plan: ServerPlan): RunningServer {
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
  if (child.pid !== undefined) stopWithParent(child.pid, server.exited);
  // The caller's stop() ends the server; a forgotten one must not keep Node alive (the watchdog then stops it).
  child.unref();
  return server;
}

/**
 * Node cannot ask the kernel to kill a child when the parent dies, so a tiny shell holds a pipe from us: EOF
 * without the "done" line means this process died (even by SIGKILL), and the shell sends the server SIGTERM.
 */
function stopWithParent(pid: number, exited: Promise<string>): void {
  const script = 'read -r line || kill -TERM "$1" 2>/dev/null';
  const watchdog = spawn("/bin/sh", ["-c", script, "mysql-watchdog", String(pid)], {
    stdio: ["pipe", "ignore", "ignore"],
    detached: true,
  });
  watchdog.on("error", () => {});
  watchdog.stdin?.on("error", () => {});
  void exited.then(() => watchdog.stdin?.end("done\n"));
  watchdog.unref();
  (watchdog.stdin as net.Socket | null)?.unref();
}

/**
 * Polls with a real connection until the server answers (or exits, or 30 s pass), then creates the database.
 * @returns the server's version string
 */
async function waitUntilReady(target: ProbeTarget, server?: RunningServer): Promise<string> {
  const deadline = Date.now() + READY_TIMEOUT_MS;
  let lastError = "";
  for (;;) {
    const exited = server
      ? server.exited.then((reason) => ({ exited: reason }))
      : new Promise<never>(() => {});
    const outcome = await Promise.race([probeServer(target), exited]);
    if ("exited" in outcome) {
      throw startupError(`exited (${outcome.exited}) before accepting connections`, server);
    }
    if (outcome.version !== undefined) return outcome.version;
    if (!outcome.retry) throw startupError(`refused the connection: ${outcome.error}`, server);
    lastError = outcome.error;
    if (Date.now() > deadline) {
      if (server) await stopServer(server, "SIGKILL");
      throw startupError(
        `did not accept connections within ${READY_TIMEOUT_MS / 1000} s (${lastError})`,
        server,
      );
    }
    await (server ? Promise.race([delay(100), server.exited]) : delay(100));
  }
}

type ProbeOutcome = { version: string } | { version?: undefined; retry: boolean; error: string };

async function probeServer(target: ProbeTarget): Promise<ProbeOutcome> {
  let connection: Connection | undefined;
  try {
    const { database, ...login } = target;
    connection = await mysql.createConnection({ ...login, connectTimeout: 1000 });
    const [rows] = await connection.query<RowDataPacket[]>(
      "SELECT VERSION() AS version, COUNT(*) AS found FROM information_schema.SCHEMATA WHERE SCHEMA_NAME = ?",
      [database],
    );
    // Checking first lets a user without CREATE rights use a database that already exists.
    if (Number(rows[0]?.found) === 0) {
      await connection.query(`CREATE DATABASE \`${database.replaceAll("`", "``")}\` CHARACTER SET utf8mb4`);
    }
    return { version: String(rows[0]?.version) };
  } catch (error) {
    // A server that answers with an SQL error (bad password, no rights) will not get better by waiting.
    const answered =
      typeof (error as { errno?: unknown }).errno === "number" && (error as { errno: number }).errno > 0;
    return { retry: !answered, error: error instanceof Error ? error.message : String(error) };
  } finally {
    connection?.destroy();
  }
}

function startupError(what: string, server: RunningServer | undefined): Error {
  const tail = server?.tail.join("\n") ?? "";
  return new Error(`MySQL server ${what}.${tail ? `\nLast server log lines:\n${tail}` : ""}`);
}

async function stopServer(server: RunningServer, signal: "SIGTERM" | "SIGKILL"): Promise<void> {
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

function lastLines(text: string): string {
  return text.trim().split("\n").slice(-TAIL_LINES).join("\n");
}
