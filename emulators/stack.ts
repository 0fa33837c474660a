/**
 * The backends and the two HTTP endpoints, started together: Redis behind the Upstash-compatible endpoint, MySQL
 * (when there is one) behind the PlanetScale-compatible one. `edge-emulators` runs it as is; the project's
 * `npm run dev` and `npm run emulators` add their migrations and seed on top.
 */
import { join } from "node:path";
import { findMysqlServer, type MysqlBackend, startMariaDb } from "./backends/mariadb.ts";
import { type RedisBackend, startRedis } from "./backends/redis.ts";
import type { EndpointOptions } from "./options.ts";
import { startPlanetScaleEmulator } from "./planetscale/server.ts";
import { assertPortsFree, type PortClaim } from "./ports.ts";
import { StartupError, type Supervisor } from "./supervise.ts";
import { localToken } from "./token.ts";
import { startUpstashEmulator } from "./upstash/server.ts";

/** What runs, where, and with which credentials. */
export interface Endpoints {
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
 * Checks the ports, then starts Redis and MySQL, each with its endpoint. Every piece is registered with the
 * supervisor as soon as it runs, so a later failure or Ctrl-C stops it.
 *
 * @example
 * ```ts
 * const endpoints = await startEndpoints(readEndpointOptions("edge-emulators", []), supervisor);
 * console.log(endpoints.upstashUrl, endpoints.mysql?.planetscaleUrl ?? endpoints.sqlFallback);
 * ```
 */
export async function startEndpoints(
  options: EndpointOptions,
  supervisor: Supervisor,
  otherPorts: PortClaim[] = [],
): Promise<Endpoints> {
  const sqlPlan = planSql(options);
  const claims = [
    ...otherPorts,
    { port: options.upstashPort, variable: "UPSTASH_PORT", what: "Upstash endpoint" },
  ];
  if (sqlPlan.start) {
    claims.push({
      port: options.planetscalePort,
      variable: "PLANETSCALE_PORT",
      what: "PlanetScale endpoint",
    });
  }
  await assertPortsFree(claims, options.command);
  const token = localToken(options.dataDir);
  // Redis first: it starts in milliseconds, so a missing redis-server fails before MySQL spends seconds booting.
  const redis = await startRedisSide(options, supervisor, token);
  supervisor.signal.throwIfAborted();
  const mysql = sqlPlan.start ? await startMysqlSide(options, supervisor, token) : undefined;
  return { token, ...redis, ...(mysql ? { mysql } : { sqlFallback: sqlPlan.reason }) };
}

/** Whether to start MySQL, decided before anything runs so a CI run fails before it starts a thing. */
function planSql(options: EndpointOptions): { start: boolean; reason: string } {
  if (options.mysqlUrl) return { start: true, reason: "" };
  if (options.skipMysql) return { start: false, reason: "left out on request (--no-mysql or DEV_SQL=d1)" };
  if (findMysqlServer()) return { start: true, reason: "" };
  const fix =
    "install one (apt-get install mariadb-server, brew install mariadb) or set DATABASE_URL to a mysql:// URL";
  if (options.requireReal) {
    throw new StartupError(
      `No MySQL-compatible server (mariadbd/mysqld) was found on PATH or in /usr/sbin, and CI=true requires one: ` +
        `${fix}, or leave SQL out on purpose (--no-mysql, DEV_SQL=d1).`,
    );
  }
  return { start: false, reason: `no mariadbd/mysqld found; ${fix} to run the PlanetScale endpoint` };
}

async function startRedisSide(options: EndpointOptions, supervisor: Supervisor, token: string) {
  const redis = await startupStep(
    "Starting Redis",
    () => startRedis({ url: options.redisUrl, requireReal: options.requireReal }),
    options.requireReal ? " CI=true forbids the embedded fallback; unset CI to allow it." : "",
  );
  supervisor.defer("Redis", () => redis.stop());
  const upstash = await startupStep("Starting the Upstash endpoint", () =>
    startUpstashEmulator({ backend: redis, token, port: options.upstashPort }),
  );
  supervisor.defer("the Upstash endpoint", () => upstash.close());
  return { redis, upstashUrl: upstash.url };
}

async function startMysqlSide(options: EndpointOptions, supervisor: Supervisor, token: string) {
  const dataDir = join(options.dataDir, "mariadb");
  const backend = await startupStep(
    "Starting MySQL",
    () => startMariaDb({ url: options.mysqlUrl, dataDir }),
    ` Fix what its log says (below, if any), or delete ${dataDir} to start afresh.`,
  );
  supervisor.defer("MySQL", () => backend.stop());
  const planetscale = await startupStep("Starting the PlanetScale endpoint", () =>
    startPlanetScaleEmulator({
      mysqlUrl: backend.url,
      username: PLANETSCALE_USER,
      password: token,
      port: options.planetscalePort,
      maxBodyBytes: options.planetscaleMaxBodyBytes,
    }),
  );
  supervisor.defer("the PlanetScale endpoint", () => planetscale.close());
  return { backend, planetscaleUrl: planetscale.url };
}

/**
 * Runs one startup step and turns its failure into one paragraph (which step, what went wrong, how to fix it),
 * followed by any detail lines the error carried, such as a server's last log lines.
 * @example await startupStep("Seeding Redis", () => seedRedis(url, token));
 */
export async function startupStep<T>(what: string, run: () => Promise<T>, hint = ""): Promise<T> {
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
