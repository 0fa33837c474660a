import type { RedisConnection } from "../backends/redis.ts";
import { EndpointError } from "../http/errors.ts";
import { unavailable } from "./errors.ts";

/**
 * Connections lent out one request at a time, for work that must not share its connection (MULTI..EXEC).
 * @example
 * const pong = await pool.use((conn) => conn.callBuffer("PING"));
 */
export interface ConnectionPool {
  /** Runs `work` on a connection that nothing else uses until `work` settles. */
  use<T>(work: (conn: RedisConnection) => Promise<T>): Promise<T>;
  close(): void;
}

/**
 * A small pool of dedicated connections: up to `max` open, extra callers wait their turn. A connection is
 * reused only when it is healthy and its request ended cleanly; a new one that cannot connect fails fast.
 * @example
 * const pool = createPool(() => backend.connect(), { max: 16, readyTimeoutMs: 1000 });
 * await pool.use((conn) => conn.callBuffer("ping"));
 */
export function createPool(
  connect: () => RedisConnection,
  options: { max: number; readyTimeoutMs: number },
): ConnectionPool {
  const idle: RedisConnection[] = [];
  const waiters: (() => void)[] = [];
  let open = 0;
  let closed = false;

  const discard = (conn: RedisConnection) => {
    conn.disconnect();
    open--;
  };

  const acquire = async (): Promise<RedisConnection> => {
    if (closed) throw new EndpointError(503, "unavailable", "ERR the emulator is shutting down");
    for (let conn = idle.pop(); conn; conn = idle.pop()) {
      if (conn.status === "ready") return conn;
      discard(conn);
    }
    if (open >= options.max) {
      await new Promise<void>((wake) => waiters.push(wake));
      return acquire();
    }
    open++;
    const conn = connect();
    // Failures surface as rejected commands; without a listener ioredis would print every reconnect error.
    conn.on("error", () => {});
    try {
      await waitReady(conn, options.readyTimeoutMs);
      return conn;
    } catch (error) {
      discard(conn);
      waiters.shift()?.();
      throw unavailable(error);
    }
  };

  const release = (conn: RedisConnection, reusable: boolean) => {
    if (reusable && !closed && conn.status === "ready") idle.push(conn);
    else discard(conn);
    waiters.shift()?.();
  };

  return {
    async use(work) {
      const conn = await acquire();
      let reusable = false;
      try {
        const result = await work(conn);
        reusable = true;
        return result;
      } catch (error) {
        // A client error (4xx) leaves the connection in a known state; anything else may not.
        reusable = error instanceof EndpointError && error.status < 500;
        throw error;
      } finally {
        release(conn, reusable);
      }
    },
    close() {
      closed = true;
      for (const conn of idle.splice(0)) discard(conn);
      for (const wake of waiters.splice(0)) wake();
    },
  };
}

/**
 * Resolves when `conn` can take commands; rejects on its first error or after `timeoutMs`, so an
 * unreachable Redis is reported at once instead of after a reconnect loop.
 * @example
 * await waitReady(backend.connect(), 1000);
 */
export function waitReady(conn: RedisConnection, timeoutMs: number): Promise<void> {
  if (conn.status === "ready") return Promise.resolve();
  return new Promise((resolve, reject) => {
    const finish = (error?: Error) => {
      clearTimeout(timer);
      conn.off("ready", onReady);
      conn.off("error", onError);
      conn.off("end", onEnd);
      if (error) reject(error);
      else resolve();
    };
    const onReady = () => finish();
    const onError = (error: unknown) => finish(error instanceof Error ? error : new Error(String(error)));
    const onEnd = () => finish(new Error("connection closed"));
    const timer = setTimeout(() => finish(new Error(`not connected within ${timeoutMs} ms`)), timeoutMs);
    conn.on("ready", onReady);
    conn.on("error", onError);
    conn.on("end", onEnd);
  });
}
