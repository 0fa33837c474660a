/**
 * Connections to the MySQL server behind the emulator: where it is, and how each connection is opened and set up.
 */
import type { ConnectionOptions, PoolConnection } from "mysql2/promise";

/**
 * Where the emulator's MySQL lives, from a mysql:// URL.
 * @example { host: "127.0.0.1", port: 3306, user: "root", password: "", database: "app" }
 */
export interface MysqlTarget {
  host: string;
  port: number;
  user: string;
  password: string;
  database: string;
}

/**
 * One MySQL connection; `dead` flips as soon as mysql2 sees the socket close or fail.
 * @example if (link.dead) pool.discard(link);
 */
export interface Link {
  connection: PoolConnection;
  dead: boolean;
}

/** Short, so that a dead or unreachable backend turns into a quick 503 instead of a hanging request. */
const CONNECT_TIMEOUT_MS = 1000;
/**
 * MySQL 8's default sql_mode, which PlanetScale keeps. MariaDB's default lacks ONLY_FULL_GROUP_BY, NO_ZERO_IN_DATE
 * and NO_ZERO_DATE, so invalid GROUP BY queries and zero dates would pass locally and fail in production.
 * NO_BACKSLASH_ESCAPES stays out: the driver escapes quotes with backslashes, and that mode would turn `\'` into the
 * end of a string literal (SQL injection).
 */
export const MYSQL8_SQL_MODE =
  "ONLY_FULL_GROUP_BY,STRICT_TRANS_TABLES,NO_ZERO_IN_DATE,NO_ZERO_DATE,ERROR_FOR_DIVISION_BY_ZERO,NO_ENGINE_SUBSTITUTION";

/**
 * Every connection answers in UTC with MySQL 8's sql_mode like PlanetScale, and reports changes of session state
 * (user variables, temporary tables, SET of a session variable, USE) in its OK packets, which tells us to keep it
 * pinned.
 */
export const SESSION_SETUP = `SET time_zone = '+00:00', sql_mode = '${MYSQL8_SQL_MODE}', session_track_state_change = ON`;

/**
 * Reads a DATABASE_URL-style mysql:// URL (percent-encoded user and password, database in the path).
 * @example parseMysqlUrl("mysql://root@127.0.0.1:3306/app") // { host: "127.0.0.1", port: 3306, user: "root", password: "", database: "app" }
 */
export function parseMysqlUrl(url: string): MysqlTarget {
  const parsed = new URL(url);
  if (parsed.protocol !== "mysql:" && parsed.protocol !== "mariadb:") {
    throw new Error(`mysqlUrl must be a mysql:// URL, got ${parsed.protocol}//…`);
  }
  const database = decodeURIComponent(parsed.pathname.slice(1));
  if (!database) {
    throw new Error("mysqlUrl must name a database in its path, e.g. mysql://root@127.0.0.1:3306/app");
  }
  return {
    host: parsed.hostname.replace(/^\[(.*)\]$/, "$1"),
    port: Number(parsed.port || 3306),
    user: decodeURIComponent(parsed.username),
    password: decodeURIComponent(parsed.password),
    database,
  };
}

/**
 * mysql2 options for every connection to `target`.
 * @example mysql.createPool({ ...connectionOptions(target), connectionLimit: 100 });
 */
export function connectionOptions(target: MysqlTarget): ConnectionOptions {
  return {
    ...target,
    charset: "utf8mb4",
    multipleStatements: false,
    // mysql2's default IGNORE_SPACE flag would add IGNORE_SPACE to the session's sql_mode (and make function
    // names reserved words); LOCAL_FILES would let SQL ask for local files, which PlanetScale does not offer.
    flags: ["-IGNORE_SPACE", "-LOCAL_FILES"],
    // insertId past 2^53 stays exact.
    supportBigNumbers: true,
    bigNumberStrings: true,
    connectTimeout: CONNECT_TIMEOUT_MS,
  };
}

/**
 * Why a connection could not be had, for a 503.
 * @example throw new BackendUnavailableError(unreachable(target, error));
 */
export function unreachable(target: MysqlTarget, error: unknown): string {
  return `MySQL at ${target.host}:${target.port} is unreachable: ${describe(error)}`;
}

function describe(error: unknown): string {
  if (!(error instanceof Error)) return String(error);
  // Connecting to "localhost" can fail with an AggregateError (one per address) whose own message is empty.
  return error.message || (error as { code?: string }).code || error.name;
}
