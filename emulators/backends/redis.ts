/**
 * The Redis behind the Upstash emulator: an external one (REDIS_URL), a throwaway `redis-server`
 * (redis-server.ts), or the in-process ioredis-mock fallback (redis-embedded.ts).
 */
import { Redis } from "ioredis";
import { findExecutable, freePort, searchPath } from "./host.ts";
import { FAIL_FAST, serverName, tracked } from "./redis-connection.ts";
import { embeddedBackend } from "./redis-embedded.ts";
import { serverBackend } from "./redis-server.ts";

import type { RedisBackend } from "./redis-types.ts";

export { isReplyError } from "./redis-connection.ts";
export type { RedisArg, RedisBackend, RedisConnection } from "./redis-types.ts";

/**
 * Obtains a Redis: `options.url` (REDIS_URL) if given, else a throwaway `redis-server` from PATH on a free
 * loopback port, else (unless `requireReal`) the in-process ioredis-mock fallback.
 * @example
 * const backend = await startRedis({ url: process.env.REDIS_URL, requireReal: process.env.CI === "true" });
 */
export async function startRedis(
  options: {
    url?: string;
    requireReal?: boolean;
    port?: number;
    persist?: boolean;
    log?: (line: string) => void;
  } = {},
): Promise<RedisBackend> {
  const log = options.log ?? (() => {});
  if (options.url) return externalBackend(options.url);
  const binary = findExecutable(["redis-server"], searchPath());
  if (binary) return serverBackend(binary, options.port ?? (await freePort()), options.persist ?? false, log);
  if (options.requireReal) {
    throw new Error(
      "redis-server not found on PATH; install it with `apt-get install redis-server` or set REDIS_URL",
    );
  }
  const backend = embeddedBackend();
  log(backend.describe);
  return backend;
}

async function externalBackend(url: string): Promise<RedisBackend> {
  const connections = tracked(() => new Redis(url, FAIL_FAST));
  return {
    kind: "external",
    url,
    server: await serverName(url),
    describe: `external Redis at ${withoutPassword(url)} (REDIS_URL)`,
    connect: connections.connect,
    stop: async () => connections.closeAll(),
  };
}

function withoutPassword(url: string): string {
  try {
    const parsed = new URL(url);
    if (parsed.password) parsed.password = "***";
    return parsed.toString();
  } catch {
    return "(unparsable REDIS_URL)";
  }
}
