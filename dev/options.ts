/**
 * What `npm run dev` and `npm run emulators` read from the environment, validated once at startup so a typo
 * ends in a clear message instead of a confusing failure later.
 */
import { join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { StartupError } from "./supervise.ts";

/** Everything the stack needs to know before it starts. */
export interface StackOptions {
  /** How the user started us, for messages: "npm run dev" or "npm run emulators". */
  command: string;
  projectDir: string;
  /** Where the local token and MariaDB's data live; DATA_DIR, default `<project>/.data`. */
  dataDir: string;
  /** Where `wrangler dev` keeps D1; `<DATA_DIR>/wrangler` when DATA_DIR is set, else wrangler's own default. */
  wranglerStateDir: string;
  workerPort: number;
  upstashPort: number;
  planetscalePort: number;
  /** CI=true: a missing redis-server or MySQL server is an error, never a silent fallback. */
  requireReal: boolean;
  /** REDIS_URL: use this Redis instead of starting one. */
  redisUrl: string | undefined;
  /** DATABASE_URL when it is a mysql:// URL: use this server instead of starting one. */
  mysqlUrl: string | undefined;
  /** DEV_SQL=d1 leaves MySQL out even when a server is installed (the Worker then uses D1). */
  skipMysql: boolean;
  /** Notes for the startup table, e.g. a DATABASE_URL that was not used. */
  notes: string[];
}

const projectDir = resolve(fileURLToPath(new URL("..", import.meta.url)));

/**
 * Reads and checks the stack's settings.
 *
 * @example
 * ```ts
 * const options = readStackOptions("npm run dev", { ...process.env, PORT: "8788" });
 * options.workerPort; // 8788
 * ```
 */
export function readStackOptions(command: string, env: NodeJS.ProcessEnv = process.env): StackOptions {
  const notes: string[] = [];
  const dataDir = env.DATA_DIR ? resolve(env.DATA_DIR) : join(projectDir, ".data");
  let mysqlUrl: string | undefined;
  if (env.DATABASE_URL && /^(mysql|mariadb):\/\//.test(env.DATABASE_URL)) mysqlUrl = env.DATABASE_URL;
  else if (env.DATABASE_URL) notes.push("DATABASE_URL is not a mysql:// URL, so it was ignored.");
  if (env.DEV_SQL && env.DEV_SQL !== "d1") {
    throw new StartupError(`DEV_SQL must be "d1" or unset, got "${env.DEV_SQL}".`);
  }
  return {
    command,
    projectDir,
    dataDir,
    wranglerStateDir: env.DATA_DIR ? join(dataDir, "wrangler") : join(projectDir, ".wrangler", "state"),
    workerPort: readPort(env, "PORT", 8787),
    upstashPort: readPort(env, "UPSTASH_PORT", 8079),
    planetscalePort: readPort(env, "PLANETSCALE_PORT", 3900),
    requireReal: env.CI === "true",
    redisUrl: env.REDIS_URL || undefined,
    mysqlUrl,
    skipMysql: env.DEV_SQL === "d1",
    notes,
  };
}

function readPort(env: NodeJS.ProcessEnv, name: string, fallback: number): number {
  const raw = env[name];
  if (!raw) return fallback;
  const port = Number(raw);
  if (!Number.isInteger(port) || port < 1 || port > 65535) {
    throw new StartupError(`${name} must be a port number between 1 and 65535, got "${raw}".`);
  }
  return port;
}
