/**
 * A MySQL-compatible server for the PlanetScale emulator: either one the caller already runs (a DATABASE_URL-style
 * `mysql://` URL) or a private `mariadbd`/`mysqld` bound to loopback, with its data kept between runs.
 */
import path from "node:path";
import { fileURLToPath } from "node:url";
import { freePort } from "./host.ts";
import {
  detectFlavor,
  findMysqlServer,
  INSTALL_HINT,
  type ServerPlan,
  socketPathFor,
} from "./mariadb-binary.ts";
import { initialiseDataDir } from "./mariadb-init.ts";
import { launchServer, stopServer } from "./mariadb-process.ts";
import { type ProbeTarget, waitUntilReady } from "./mariadb-ready.ts";

export { findMysqlServer } from "./mariadb-binary.ts";

/**
 * A running MySQL-compatible server and how to reach it.
 * @example const db: MysqlBackend = await startMariaDb(); await db.stop();
 */
export interface MysqlBackend {
  kind: "external" | "mariadbd" | "mysqld";
  /** mysql://user:pass@127.0.0.1:port/db */
  url: string;
  describe: string;
  /** The server's name and version for startup tables, e.g. "MariaDB 10.11.19" or "MySQL 8.4.3". */
  server: string;
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

const DEFAULT_DATA_DIR = fileURLToPath(new URL("../../.data/mariadb", import.meta.url));

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
    get server() {
      return serverName(version);
    },
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
    server: serverName(version),
    stop: async () => {},
  };
  return backend;
}

/** "10.11.19-MariaDB-0+deb12u1" → "MariaDB 10.11.19"; "8.4.3" → "MySQL 8.4.3". */
function serverName(version: string): string {
  const number = version.split("-")[0] ?? version;
  return /mariadb/i.test(version) ? `MariaDB ${number}` : `MySQL ${number}`;
}
