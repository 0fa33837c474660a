/**
 * What the endpoints read from the command line and the environment, validated once at startup so a typo ends
 * in a clear message instead of a confusing failure later. Flags win over variables.
 */
import { resolve } from "node:path";
import { parseArgs } from "node:util";
import { DEFAULT_MAX_BODY_BYTES } from "./planetscale/server.ts";
import { StartupError } from "./supervise.ts";

/** Everything startEndpoints needs to know before it starts. */
export interface EndpointOptions {
  /** How the user started us, for messages: "edge-emulators", "npm run dev"… */
  command: string;
  /** Where the local token and MariaDB's data live. */
  dataDir: string;
  upstashPort: number;
  planetscalePort: number;
  /** The PlanetScale endpoint's request body cap in bytes. */
  planetscaleMaxBodyBytes: number;
  /** CI=true: a missing redis-server or MySQL server is an error, never a silent fallback. */
  requireReal: boolean;
  /** Use this Redis instead of starting one. */
  redisUrl: string | undefined;
  /** Use this MySQL-compatible server (a mysql:// URL) instead of starting one. */
  mysqlUrl: string | undefined;
  /** Leave MySQL out even when a server is installed. */
  skipMysql: boolean;
  /** Notes for the startup table, e.g. a DATABASE_URL that was not used. */
  notes: string[];
}

/** `--help` of the `edge-emulators` command. */
export const USAGE = `Usage: edge-emulators [options]

Starts Redis behind an Upstash-compatible REST endpoint and MySQL/MariaDB behind a PlanetScale-compatible HTTP
endpoint on 127.0.0.1, prints the URLs and the token for @upstash/redis and @planetscale/database, and runs until
Ctrl-C, which stops everything it started.

Options (each also read from the variable in brackets):
  --upstash-port N        Upstash endpoint port (UPSTASH_PORT, default 8079)
  --planetscale-port N    PlanetScale endpoint port (PLANETSCALE_PORT, default 3900)
  --data-dir DIR          token and MariaDB data (DATA_DIR, default ./.data)
  --redis-url URL         use this Redis instead of starting redis-server (REDIS_URL)
  --database-url URL      use this mysql:// server instead of starting one (DATABASE_URL)
  --no-mysql              no MySQL and no PlanetScale endpoint
  --max-body-bytes N      PlanetScale request body cap (PLANETSCALE_MAX_BODY_BYTES, default 16 MiB)
  --require-real          fail instead of falling back to the in-process ioredis-mock (CI=true)
  -h, --help              this text`;

/**
 * Reads and checks the settings.
 *
 * @example
 * ```ts
 * const options = readEndpointOptions("edge-emulators", ["--upstash-port", "9000"], process.env);
 * options.upstashPort; // 9000
 * ```
 */
export function readEndpointOptions(
  command: string,
  argv: string[],
  env: NodeJS.ProcessEnv = process.env,
): EndpointOptions & { help: boolean } {
  let values: Record<string, string | boolean | undefined>;
  try {
    ({ values } = parseArgs({
      args: argv,
      options: {
        "upstash-port": { type: "string" },
        "planetscale-port": { type: "string" },
        "data-dir": { type: "string" },
        "redis-url": { type: "string" },
        "database-url": { type: "string" },
        "no-mysql": { type: "boolean" },
        "max-body-bytes": { type: "string" },
        "require-real": { type: "boolean" },
        help: { type: "boolean", short: "h" },
      },
    }));
  } catch (error) {
    throw new StartupError(`${error instanceof Error ? error.message : String(error)}\n\n${USAGE}`);
  }
  const text = (flag: string, variable: string) =>
    (values[flag] as string | undefined) ?? (env[variable] || undefined);
  const notes: string[] = [];
  const databaseUrl = text("database-url", "DATABASE_URL");
  let mysqlUrl: string | undefined;
  if (databaseUrl && /^(mysql|mariadb):\/\//.test(databaseUrl)) mysqlUrl = databaseUrl;
  else if (databaseUrl) notes.push("DATABASE_URL is not a mysql:// URL, so it was ignored.");
  if (env.DEV_SQL && env.DEV_SQL !== "d1") {
    throw new StartupError(`DEV_SQL must be "d1" or unset, got "${env.DEV_SQL}".`);
  }
  const dataDir = text("data-dir", "DATA_DIR");
  return {
    help: values.help === true,
    command,
    dataDir: dataDir ? resolve(dataDir) : resolve(".data"),
    upstashPort: readPort(text("upstash-port", "UPSTASH_PORT"), "UPSTASH_PORT", 8079),
    planetscalePort: readPort(text("planetscale-port", "PLANETSCALE_PORT"), "PLANETSCALE_PORT", 3900),
    planetscaleMaxBodyBytes: readSize(text("max-body-bytes", "PLANETSCALE_MAX_BODY_BYTES")),
    requireReal: values["require-real"] === true || env.CI === "true",
    redisUrl: text("redis-url", "REDIS_URL"),
    mysqlUrl,
    skipMysql: values["no-mysql"] === true || env.DEV_SQL === "d1",
    notes,
  };
}

/**
 * A port from a flag or variable, or `fallback` when unset.
 * @throws StartupError naming `name` when it is not a port number.
 * @example readPort(process.env.PORT, "PORT", 8787); // 8787 when PORT is unset
 */
export function readPort(raw: string | undefined, name: string, fallback: number): number {
  if (!raw) return fallback;
  const port = Number(raw);
  if (!Number.isInteger(port) || port < 1 || port > 65535) {
    throw new StartupError(`${name} must be a port number between 1 and 65535, got "${raw}".`);
  }
  return port;
}

function readSize(raw: string | undefined): number {
  if (!raw) return DEFAULT_MAX_BODY_BYTES;
  const bytes = Number(raw);
  if (!Number.isSafeInteger(bytes) || bytes < 1024) {
    throw new StartupError(`the body cap must be a number of bytes (at least 1024), got "${raw}".`);
  }
  return bytes;
}
