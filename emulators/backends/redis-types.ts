/**
 * The shapes every Redis backend shares, in a module of their own so that redis.ts and the backends it chooses
 * between (redis-server.ts, redis-embedded.ts, redis-connection.ts) import them without importing each other.
 */

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
  /** The server's name and version for startup tables, e.g. "redis-server 7.0.15" or "Valkey 8.1.1". */
  server: string;
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
