/**
 * The last-resort Redis: ioredis-mock, in-process, behind the same RedisConnection interface as a real server.
 */
import RedisMock from "ioredis-mock";
import { isReplyError, RedisReplyError, tracked } from "./redis-connection.ts";
import type { RedisArg, RedisBackend, RedisConnection } from "./redis-types.ts";

let embeddedCount = 0;

/**
 * A fresh, empty in-process keyspace; its `describe` warns loudly that this is not a real Redis.
 * @example
 * const backend = embeddedBackend();
 * await backend.connect().callBuffer("SET", "k", "v");
 */
export function embeddedBackend(): RedisBackend {
  // ioredis-mock shares one keyspace per host:port, so a unique host keeps backends apart and connections together.
  const host = `embedded-${++embeddedCount}`;
  const connections = tracked(() => mockConnection(new RedisMock({ host, port: 6379 })));
  return {
    kind: "embedded",
    url: undefined,
    server: "ioredis-mock (in-process, not a real Redis)",
    describe:
      "!!! EMBEDDED FALLBACK: ioredis-mock, in-process, NOT a real Redis (no SCRIPT, lax errors, no persistence). " +
      "Install redis-server or set REDIS_URL for real semantics !!!",
    connect: connections.connect,
    stop: async () => connections.closeAll(),
  };
}

/**
 * Adapts ioredis-mock to RedisConnection. Commands are dispatched to the mock's own `<name>Buffer` methods
 * (only real commands have one, so EventEmitter methods cannot be reached); MULTI/EXEC queue on this
 * connection and run through the mock's `multi().exec()`. Thrown errors become ReplyErrors, as from Redis.
 */
function mockConnection(mock: object): RedisConnection {
  const methods = mock as Record<string, unknown>;
  let status = "ready";
  let queue: RedisArg[][] | undefined;
  let queueFailed = false;
  const methodFor = (command: string): string => {
    const name = `${command.toLowerCase()}Buffer`;
    if (typeof methods[name] !== "function") throw unknownCommand(command);
    return name;
  };
  const invoke = async (command: string, args: RedisArg[]): Promise<unknown> => {
    const method = methods[methodFor(command)] as (...a: RedisArg[]) => Promise<unknown>;
    try {
      return flattenObjects(await method.apply(mock, args));
    } catch (error) {
      throw asReplyError(error, command);
    }
  };
  const exec = async (commands: RedisArg[][]): Promise<unknown[]> => {
    const multi = methods.multi as (batch: RedisArg[][]) => { exec(): Promise<[unknown, unknown][]> };
    // The mock's exec() rejects as a whole when a command throws instead of answering an error.
    const results = await multi
      .call(mock, commands)
      .exec()
      .catch((error: unknown) => Promise.reject(asReplyError(error, "exec")));
    return results.map(([error, value], i) =>
      error ? asReplyError(error, String(commands[i]?.[0])) : flattenObjects(value),
    );
  };
  return {
    get status() {
      return status;
    },
    async callBuffer(command, ...args) {
      const name = command.toLowerCase();
      if (name === "multi" && !queue) {
        [queue, queueFailed] = [[], false];
        return Buffer.from("OK");
      }
      if (name === "exec" && queue) {
        const [batch, failed] = [queue, queueFailed];
        queue = undefined;
        if (failed) throw new RedisReplyError("EXECABORT Transaction discarded because of previous errors.");
        return exec(batch);
      }
      if (!queue) return invoke(command, args);
      try {
        queue.push([methodFor(command), ...args]);
      } catch (error) {
        queueFailed = true;
        throw error;
      }
      return Buffer.from("QUEUED");
    },
    on: () => undefined,
    off: () => undefined,
    disconnect() {
      status = "end";
    },
  };
}

function asReplyError(error: unknown, command: string): Error {
  if (isReplyError(error)) return error;
  const message = error instanceof Error ? error.message : String(error);
  // ioredis-mock lists every command as a method but throws "Unsupported command" for those it lacks.
  if (message.startsWith("Unsupported command")) return unknownCommand(command.replace(/Buffer$/, ""));
  // Keep Redis-style prefixes (NOSCRIPT, WRONGTYPE...) so clients that look for them still work.
  return new RedisReplyError(/^[A-Z]+ /.test(message) ? message : `ERR ${message}`);
}

function unknownCommand(command: string): Error {
  return new RedisReplyError(
    `ERR unknown command '${command}' (not implemented by the embedded ioredis-mock fallback)`,
  );
}

/** ioredis-mock returns HGETALL as an object (ioredis' reply transformer); Redis sends a flat array. */
function flattenObjects(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(flattenObjects);
  if (value === null || typeof value !== "object" || Buffer.isBuffer(value)) return value;
  return Object.entries(value).flatMap(([key, item]) => [Buffer.from(key), flattenObjects(item)]);
}
