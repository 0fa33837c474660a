/**
 * What every Redis backend kind shares: fail-fast connection options, the ReplyError class that tells Redis'
 * own answers from connection failures, and the bookkeeping that closes connections when a backend stops.
 */
import { Redis, type RedisOptions, ReplyError } from "ioredis";
import type { RedisConnection } from "./redis-types.ts";

/**
 * Connection options that turn an outage into an immediate error instead of a wait, while ioredis keeps
 * reconnecting in the background so service resumes by itself when Redis is back.
 * @example const conn = new Redis(port, "127.0.0.1", FAIL_FAST);
 */
export const FAIL_FAST: RedisOptions = {
  enableOfflineQueue: false,
  // A command written before a disconnect must fail, not be replayed later (a replayed MULTI half would corrupt).
  autoResendUnfulfilledCommands: false,
  // Without this, a command in flight when Redis dies and comes straight back is dropped on reconnect and its
  // HTTP request never gets an answer.
  maxRetriesPerRequest: 0,
  connectTimeout: 500,
  retryStrategy: (attempt: number) => Math.min(attempt * 50, 250),
};

/**
 * ioredis' ReplyError, for errors that must look as if Redis answered them.
 * ioredis re-exports redis-errors' ReplyError typed as `any`; this gives it the shape it has.
 * @example throw new RedisReplyError("ERR unknown command 'nope'");
 */
export const RedisReplyError = ReplyError as new (message: string) => Error;

/**
 * True when Redis itself answered with an error (its text belongs to the caller); false for failures of
 * the connection (the backend is unreachable).
 * @example
 * conn.callBuffer("incr", "text").catch((e) => isReplyError(e) ? badRequest(e.message) : unavailable());
 */
export function isReplyError(error: unknown): error is Error {
  return error instanceof RedisReplyError;
}

/**
 * Hands out fail-fast connections and disconnects the ones still open when the backend stops.
 * @example
 * const connections = tracked(() => new Redis(url, FAIL_FAST));
 * const conn = connections.connect(); // ... later, on stop:
 * connections.closeAll();
 */
export function tracked(open: () => RedisConnection): {
  connect: () => RedisConnection;
  closeAll: () => void;
} {
  const live = new Set<RedisConnection>();
  return {
    connect() {
      const conn = open();
      live.add(conn);
      conn.on("end", () => live.delete(conn));
      return conn;
    },
    closeAll() {
      for (const conn of live) conn.disconnect();
      live.clear();
    },
  };
}

/**
 * The name and version a Redis-compatible server reports in INFO (Valkey and KeyDB say who they are), for
 * startup tables; "(unreachable)" when it does not answer within a second.
 * @example await serverName("redis://127.0.0.1:6379"); // "redis-server 7.0.15"
 */
export async function serverName(url: string): Promise<string> {
  const probe = new Redis(url, { ...FAIL_FAST, lazyConnect: true, retryStrategy: () => null });
  probe.on("error", () => {});
  try {
    await probe.connect();
    const info = String(await probe.info("server"));
    const field = (name: string) => new RegExp(`^${name}:(\\S+)`, "m").exec(info)?.[1];
    const valkey = field("valkey_version");
    return valkey ? `Valkey ${valkey}` : `redis-server ${field("redis_version") ?? "(unknown version)"}`;
  } catch {
    return "Redis (unreachable, version unknown)";
  } finally {
    probe.disconnect();
  }
}
