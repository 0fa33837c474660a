/**
 * The bench's servers, in a process of their own (bench/stack.ts starts it): redis-server and MariaDB behind the
 * Upstash- and PlanetScale-compatible endpoints, migrated and seeded exactly as `npm run emulators` does it
 * (dev/stack.ts), but on free ports and in the given data dir, plus the test origin site for /crawl. A separate
 * process so the endpoints do not share an event loop with the load generator, as in any real deployment.
 * Prints one JSON line (Backends) once everything answers, then runs until SIGINT or SIGTERM.
 *
 * Usage: `node bench/backends.ts <dataDir>`
 */
import { readStackOptions } from "../dev/options.ts";
import { startStack } from "../dev/stack.ts";
import { freePort } from "../emulators/backends/host.ts";
import { Interrupted, Supervisor } from "../emulators/supervise.ts";
import { startOrigin } from "../fixtures/site/server.ts";

/** Where everything listens, and which servers answer there. */
export interface Backends {
  upstashUrl: string;
  token: string;
  redisUrl: string;
  planetscaleUrl: string;
  mysqlUrl: string;
  originUrl: string;
  /** The servers' names and versions, for the results: "redis-server 7.0.15", "MariaDB 10.11.19". */
  redis: string;
  mysql: string;
}

/**
 * Starts everything, prints where it runs, and waits for a stop signal.
 *
 * @example
 * ```ts
 * process.exit(await serveBackends("/tmp/bench-x/data")); // 0 after SIGTERM, 1 when a server fails to start
 * ```
 */
export async function serveBackends(dataDir: string): Promise<number> {
  const supervisor = new Supervisor();
  supervisor.trapSignals();
  try {
    // CI=true: a bench on ioredis-mock or without MySQL would compare nothing real, so a missing server is an error.
    const env = {
      DATA_DIR: dataDir,
      UPSTASH_PORT: String(await freePort()),
      PLANETSCALE_PORT: String(await freePort()),
      CI: "true",
    };
    const stack = await startStack(readStackOptions("npm run bench", env), supervisor, []);
    if (!stack.mysql || !stack.redis.url) throw new Error("the stack started without redis-server or MySQL");
    const origin = await startOrigin();
    supervisor.defer("the origin site", () => origin.close());
    const backends: Backends = {
      upstashUrl: stack.upstashUrl,
      token: stack.token,
      redisUrl: stack.redis.url,
      planetscaleUrl: stack.mysql.planetscaleUrl,
      mysqlUrl: stack.mysql.backend.url,
      originUrl: origin.url,
      redis: stack.redis.server,
      mysql: stack.mysql.backend.server,
    };
    process.stdout.write(`${JSON.stringify(backends)}\n`);
    await supervisor.stopRequested;
    return 0;
  } catch (error) {
    if (supervisor.signal.reason instanceof Interrupted) return 0;
    console.error(error instanceof Error ? error.message : String(error));
    return 1;
  } finally {
    await supervisor.stopAll((line) => console.error(line));
  }
}

if (import.meta.main) {
  const [dataDir] = process.argv.slice(2);
  if (!dataDir) {
    console.error("usage: node bench/backends.ts <dataDir>");
    process.exit(2);
  }
  process.exit(await serveBackends(dataDir));
}
