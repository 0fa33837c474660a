/**
 * The Redis behind the Upstash emulator: an external one (REDIS_URL), a throwaway `redis-server`
 * (redis-server.ts), or the in-process ioredis-mock fallback (redis-embedded.ts).
 */
import { Redis } from "ioredis";
import { findExecutable, freePort, searchPath } from "./host.ts";
import { FAIL_FAST, tracked } from "./redis-connection.ts";
import { embeddedBackend } from "./redis-embedded.ts";
import { serverBackend } from "./redis-server.ts";

export { isReplyError } from "./redis-connection.ts";

/**
 * A command argument as RESP sends it: strings travel as UTF-8.
 * @example
 * const args: RedisArg[] = ["key", Buffer.from([0xff])];
 */
export type RedisArg = string | Buffer;

/**
 * The part of an ioredis client the emulators use. ioredis satisfies it as is; ioredis-mock, which has no
 * `callBuffer`, gets a thin adapter. Errors that Redis itself answered are `ReplyError`s (from ioredis);
 * anything else means the connection failed.
 * @example
 * const conn: RedisConnection = backend.connect();
 * const value = await conn.callBuffer("get", "key"); // Buffer | null
 */
export interface RedisConnection {
  /** "ready" when commands can be sent; ioredis also uses "connecting", "reconnecting", "end"... */
  readonly status: string;
  /**
   * Sends one command; bulk strings come back as Buffers, integers as numbers, nested errors as ReplyErrors.
   * Use upper-case names: ioredis reshapes the reply of a lower-case `hgetall` into an object.
   */
  callBuffer(command: string, ...args: RedisArg[]): Promise<unknown>;
  /** `messageBuffer` and `pmessageBuffer` carry pub/sub messages as Buffers once the connection has subscribed. */
  on(
    event: "ready" | "error" | "end" | "messageBuffer" | "pmessageBuffer",
    listener: (...args: unknown[]) => void,
  ): unknown;
  off(event: "ready" | "error" | "end", listener: (...args: unknown[]) => void): unknown;
  disconnect(): void;
}

/**
 * A Redis to talk to, with how it was obtained.
 * @example
 * const backend = await startRedis({ log: console.log });
 * console.log(backend.describe);
 * await backend.stop();
 */
export interface RedisBackend {
  kind: "external" | "redis-server" | "embedded";
  url: string | undefined;
  /** one line for startup tables */
  describe: string;
  /** new RESP connection (ioredis-compatible) */
  connect(): RedisConnection;
  stop(): Promise<void>;
  /** redis-server kind only: SIGKILLs the server (a crash, not a shutdown) and waits until it is gone. */
  kill?(): Promise<void>;
  /** redis-server kind only: starts the server again on the same port (killing it first if it runs). */
  restart?(): Promise<void>;
  /** redis-server kind only: the running server's process id (undefined while it is down), for tests that pause it. */
  pid?(): number | undefined;
}

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

function externalBackend(url: string): RedisBackend {
  const connections = tracked(() => new Redis(url, FAIL_FAST));
  return {
    kind: "external",
    url,
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
