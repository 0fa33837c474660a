/**
 * `subscribe` and `psubscribe` as `@upstash/redis` sends them (`POST /subscribe/<channel>` with the body `[]`),
 * answered as server-sent events in Upstash's format: `data: subscribe,<channel>,1`, then
 * `data: message,<channel>,<message>` (or `psubscribe,…` and `pmessage,<pattern>,<channel>,<message>`).
 * Each stream has a Redis connection of its own, closed when the client goes away, so nothing stays subscribed.
 */
import type { Context } from "hono";
import { streamSSE } from "hono/streaming";
import { isReplyError, type RedisBackend, type RedisConnection } from "../backends/redis.ts";
import { EndpointError } from "../http/errors.ts";
import { parseBody } from "./commands.ts";
import { unavailable } from "./errors.ts";
import { waitReady } from "./pool.ts";

/** The two kinds of subscription the client opens. */
export type SubscriptionKind = "subscribe" | "psubscribe";

/**
 * The open subscriptions of one emulator.
 * @example
 * const subscriptions = createSubscriptions(backend, 1000);
 * app.post("/subscribe/:channel{.+}", (c) => subscriptions.stream(c, "subscribe", c.req.param("channel"), "[]"));
 */
export interface Subscriptions {
  /** Subscribes, then answers with the event stream; 4xx/5xx (and no stream) when it cannot. */
  stream(c: Context, kind: SubscriptionKind, name: string, body: string): Promise<Response>;
  /** Ends every stream and its Redis connection (emulator shutdown). */
  close(): void;
}

/**
 * @example const subscriptions = createSubscriptions(backend, 1000);
 */
export function createSubscriptions(backend: RedisBackend, readyTimeoutMs: number): Subscriptions {
  const live = new Set<RedisConnection>();
  return {
    async stream(c, kind, name, body) {
      checkRequest(backend, name, body);
      const conn = await subscribed(backend, kind, name, readyTimeoutMs);
      live.add(conn);
      return streamSSE(c, async function relay(sse) {
        // Writes are chained so that messages reach the client in the order Redis delivered them.
        let tail = sse.writeSSE({ data: `${kind},${name},1` });
        const send = (data: string) => {
          tail = tail.then(() => sse.writeSSE({ data }));
        };
        conn.on("messageBuffer", (channel, message) => send(`message,${text(channel)},${text(message)}`));
        conn.on("pmessageBuffer", (pattern, channel, message) =>
          send(`pmessage,${text(pattern)},${text(channel)},${text(message)}`),
        );
        // The stream lasts until the client goes away or the connection ends (shutdown, Redis gone for good).
        await new Promise<void>((ended) => {
          sse.onAbort(ended);
          conn.on("end", () => ended());
        });
        live.delete(conn);
        conn.disconnect();
        await tail;
      });
    },
    close() {
      for (const conn of live) conn.disconnect();
      live.clear();
    },
  };
}

/** The 4xx answers, decided before any Redis connection is opened. */
function checkRequest(backend: RedisBackend, name: string, body: string): void {
  const parsed = body.trim() === "" ? [] : parseBody(body);
  if (!Array.isArray(parsed) || parsed.length > 0) {
    throw new EndpointError(
      400,
      "bad_request",
      "ERR a subscribe request's body must be the empty JSON array []",
    );
  }
  // The event format separates fields with commas, so a name holding one could not be read back.
  if (name.includes(",")) {
    throw new EndpointError(
      400,
      "bad_request",
      `ERR channel or pattern names must not contain a comma: ${name}`,
    );
  }
  if (backend.kind === "embedded") {
    throw new EndpointError(
      501,
      "not_implemented",
      "ERR subscribe over server-sent events needs a real Redis; the embedded ioredis-mock fallback has no " +
        "pub/sub (install redis-server or set REDIS_URL)",
    );
  }
}

/** A connection of its own, subscribed; a 503 when Redis is unreachable, a 400 when it refuses. */
async function subscribed(
  backend: RedisBackend,
  kind: SubscriptionKind,
  name: string,
  readyTimeoutMs: number,
): Promise<RedisConnection> {
  const conn = backend.connect();
  // Failures surface through waitReady or the subscribe call; without a listener ioredis prints every error.
  conn.on("error", () => {});
  try {
    await waitReady(conn, readyTimeoutMs);
    // Lower case on purpose: ioredis enters subscriber mode (and routes messages) only for the lower-case name.
    await conn.callBuffer(kind, name);
    return conn;
  } catch (error) {
    conn.disconnect();
    if (isReplyError(error)) throw new EndpointError(400, "bad_request", error.message);
    throw unavailable(error);
  }
}

function text(value: unknown): string {
  return Buffer.isBuffer(value) ? value.toString("utf8") : String(value);
}
