/**
 * The backends and the two HTTP endpoints the Worker talks to, shared by `npm run dev` and `npm run emulators`:
 * Redis behind the Upstash-compatible endpoint, MySQL (when there is one) behind the PlanetScale-compatible one,
 * migrated and seeded.
 */
import { join } from "node:path";
import { findMysqlServer, type MysqlBackend, startMariaDb } from "../emulators/backends/mariadb.ts";
import { type RedisBackend, startRedis } from "../emulators/backends/redis.ts";
import { startPlanetScaleEmulator } from "../emulators/planetscale/server.ts";
import { startUpstashEmulator } from "../emulators/upstash/server.ts";
import { migrateMysql } from "./migrate.ts";
import type { StackOptions } from "./options.ts";
import { assertPortsFree, type PortClaim } from "./ports.ts";
import { seedMysql, seedRedis } from "./seed.ts";
import { StartupError, type Supervisor } from "./supervise.ts";
import { localToken } from "./token.ts";

/** What runs, where, and with which credentials. */
export interface Stack {
  /** Shared by both endpoints: the Upstash token and the PlanetScale password. */
  token: string;
  redis: RedisBackend;
  upstashUrl: string;
  /** Absent when no MySQL runs; `sqlFallback` then says why. */
  mysql?: { backend: MysqlBackend; planetscaleUrl: string };
  sqlFallback?: string;
}

/** The user name clients send to the PlanetScale-compatible endpoint. */
const PLANETSCALE_USER = "dev";

/**
 * Checks the ports, then starts Redis and MySQL, each with its endpoint, migrations and seed. Every piece is
 * registered with the supervisor as soon as it runs, so a later failure or Ctrl-C stops it.
 *
 * @example
 * ```ts
 * const stack = await startStack(readStackOptions("npm run emulators"), supervisor, []);
 * console.log(stack.upstashUrl, stack.mysql?.planetscaleUrl ?? stack.sqlFallback);
 * ```
 */
export async function startStack(
  options: StackOptions,
  supervisor: Supervisor,
  otherPorts: PortClaim[],
): Promise<Stack> {
  const sqlPlan = planSql(options);
  const claims = [
    ...otherPorts,
    { port: options.upstashPort, variable: "UPSTASH_PORT", what: "Upstash endpoint" },
  ];
  if (sqlPlan.start)
    claims.push({
      port: options.planetscalePort,
      variable: "PLANETSCALE_PORT",
      what: "PlanetScale endpoint",
    });
  await assertPortsFree(claims, options.command);
  const token = localToken(options.dataDir);
  // Redis first: it starts in milliseconds, so a missing redis-server fails before MySQL spends seconds booting.
  const redis = await startRedisSide(options, supervisor, token);
  supervisor.signal.throwIfAborted();
  const mysql = sqlPlan.start ? await startMysqlSide(options, supervisor, token) : undefined;
  return { token, ...redis, ...(mysql ? { mysql } : { sqlFallback: sqlPlan.reason }) };
}

/** Whether to start MySQL, decided before anything runs so a CI run fails before it starts a thing. */
function planSql(options: StackOptions): { start: boolean; reason: string } {
  if (options.mysqlUrl) return { start: true, reason: "" };
  if (options.skipMysql) return { start: false, reason: "DEV_SQL=d1 was set" };
  if (findMysqlServer()) return { start: true, reason: "" };
  const fix =
    "install one (apt-get install mariadb-server, brew install mariadb) or set DATABASE_URL to a mysql:// URL";
  if (options.requireReal) {
    throw new StartupError(
      `No MySQL-compatible server (mariadbd/mysqld) was found on PATH or in /usr/sbin, and CI=true forbids the D1 ` +
        `fallback: ${fix}, or set DEV_SQL=d1 to run SQL on D1 on purpose.`,
    );
  }
  return { start: false, reason: `no mariadbd/mysqld found; ${fix} to run the PlanetScale path` };
}

async function startRedisSide(options: StackOptions, supervisor: Supervisor, token: string) {
  const redis = await step(
    "Starting Redis",
    () => startRedis({ url: options.redisUrl, requireReal: options.requireReal }),
    options.requireReal ? " CI=true forbids the embedded fallback; unset CI to allow it." : "",
  );
  supervisor.defer("Redis", () => redis.stop());
  const upstash = await step("Starting the Upstash endpoint", () =>
    startUpstashEmulator({ backend: redis, token, port: options.upstashPort }),
  );
  supervisor.defer("the Upstash endpoint", () => upstash.close());
  await step("Seeding Redis", () => seedRedis(upstash.url, token));
  return { redis, upstashUrl: upstash.url };
}

async function startMysqlSide(options: StackOptions, supervisor: Supervisor, token: string) {
  const dataDir = join(options.dataDir, "mariadb");
  const backend = await step(
    "Starting MySQL",
    () => startMariaDb({ url: options.mysqlUrl, dataDir }),
    ` Fix what its log says (below, if any), delete ${dataDir} to start afresh, or set DEV_SQL=d1 to use D1.`,
  );
  supervisor.defer("MySQL", () => backend.stop());
  const planetscale = await step("Starting the PlanetScale endpoint", () =>
    startPlanetScaleEmulator({
      mysqlUrl: backend.url,
      username: PLANETSCALE_USER,
      password: token,
      port: options.planetscalePort,
    }),
  );
  supervisor.defer("the PlanetScale endpoint", () => planetscale.close());
  await step("Migrating MySQL", () => migrateMysql(planetscale.url));
  await step("Seeding MySQL", () => seedMysql(planetscale.url));
  return { backend, planetscaleUrl: planetscale.url };
}

/**
 * Runs one startup step and turns its failure into one paragraph (which step, what went wrong, how to fix it),
 * followed by any detail lines the error carried, such as a server's last log lines.
 */
async function step<T>(what: string, run: () => Promise<T>, hint = ""): Promise<T> {
  try {
    return await run();
  } catch (error) {
    if (error instanceof StartupError) throw error;
    const [summary = "", ...details] = (error instanceof Error ? error.message : String(error)).split("\n");
    const portHint = /EADDRINUSE|address already in use/i.test(summary)
      ? " Another process took the port meanwhile; stop it or choose another (UPSTASH_PORT, PLANETSCALE_PORT)."
      : "";
    const paragraph = `${what} failed: ${summary.replace(/[^.!?]$/, "$&.")}${portHint || hint}`;
    throw new StartupError([paragraph, ...details].join("\n"));
  }
}
