/**
 * Which MySQL-compatible server binary runs, and the plan every step (initialise, launch, probe) works from.
 */
import { execFile } from "node:child_process";
import os from "node:os";
import path from "node:path";
import { promisify } from "node:util";
import { findExecutable, searchPath } from "./host.ts";

/**
 * The server family: decides the init command and MySQL-only flags.
 * @example const flavor: Flavor = await detectFlavor("/usr/sbin/mysqld"); // "mariadbd" on Debian
 */
export type Flavor = "mariadbd" | "mysqld";

/**
 * Everything needed to initialise and launch one local server.
 * @example
 * const plan: ServerPlan = { binary, flavor, dataDir, socket: socketPathFor(dataDir), port, database: "app", log };
 */
export interface ServerPlan {
  binary: string;
  flavor: Flavor;
  dataDir: string;
  socket: string;
  port: number;
  database: string;
  log: (line: string) => void;
}

/**
 * How many of the server's last output lines error messages quote.
 * @example if (tail.length > TAIL_LINES) tail.shift();
 */
export const TAIL_LINES = 25;

/**
 * The end of "no server found" messages: how to get one.
 * @example throw new Error(`mariadb-install-db not found: ${INSTALL_HINT}.`);
 */
export const INSTALL_HINT =
  "install one (apt-get install mariadb-server) or set DATABASE_URL to the mysql:// URL of a running server";

/**
 * `execFile` as a promise of `{ stdout, stderr }`.
 * @example const { stdout } = await execFileAsync(binary, ["--version"]);
 */
export const execFileAsync = promisify(execFile);

/**
 * Path of a `mariadbd` or `mysqld` binary on PATH or in /usr/sbin (where Debian puts it, often off a user's PATH).
 * @example const binary = findMysqlServer(); // "/usr/sbin/mariadbd" or undefined
 */
export function findMysqlServer(): string | undefined {
  return findExecutable(["mariadbd", "mysqld"], [...searchPath(), "/usr/sbin"]);
}

/**
 * Debian links `mysqld` to `mariadbd`, so the name alone does not tell which server this is.
 * @example const flavor = await detectFlavor("/usr/sbin/mysqld"); // "mariadbd" or "mysqld"
 */
export async function detectFlavor(binary: string): Promise<Flavor> {
  const { stdout } = await execFileAsync(binary, ["--no-defaults", "--version"]);
  return /mariadb/i.test(stdout) ? "mariadbd" : "mysqld";
}

/**
 * Unix socket paths are limited to ~104 bytes; deep temp dirs (macOS) overflow that.
 * @example socketPathFor("/tmp/db"); // "/tmp/db/mysqld.sock"
 */
export function socketPathFor(dataDir: string): string {
  const inside = path.join(dataDir, "mysqld.sock");
  if (inside.length < 100) return inside;
  return path.join(os.tmpdir(), `mysqld-${Buffer.from(dataDir).toString("base64url").slice(-24)}.sock`);
}

/**
 * The server refuses to run as root unless told to with --user=root; other users must not pass it.
 * @example spawn(binary, ["--no-defaults", ...userArgs()]);
 */
export function userArgs(): string[] {
  return process.getuid?.() === 0 ? ["--user=root"] : [];
}
