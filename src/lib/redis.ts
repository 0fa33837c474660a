import { Redis } from "@upstash/redis/cloudflare";
import type { Bindings } from "../env.ts";
import { ApiError } from "./errors.ts";
import { type HealthCheck, probe } from "./health.ts";
import { isHttpUrl, parseInstanceList } from "./instances.ts";

/** One Upstash database as configured: the primary, or an entry of REDIS_INSTANCES. */
export interface RedisInstance {
  name: string;
  url: string;
  token: string;
}

/** How long one Redis round trip may take before the request answers 504. */
export const REDIS_DEADLINE_MS = 2_500;

const clients = new Map<string, Redis>();

/**
 * The client for one database, created once per isolate and reused, so connections and the read-your-writes
 * token survive across requests.
 *
 * Settings chosen for an HTTP API with deadlines:
 * - `retry`: one retry after 50 ms, only when `fetch` itself throws (the client never retries an HTTP answer).
 *   The default (5 retries, exponential backoff) takes ~4 s to report a refused connection.
 * - `signal` as a function: a fresh deadline per round trip; the client throws on abort (a plain signal would
 *   make it return the string "Aborted" as if it were the result).
 * - `automaticDeserialization: false`: values come back as the exact stored strings; `"007"` stays `"007"`.
 * - `responseEncoding: false`: plain JSON strings instead of base64, whose decoding in the client drops a leading
 *   byte-order mark from every value (and costs time). Our values are always valid UTF-8, so nothing is lost.
 * - `enableAutoPipelining: false`: each route chooses its single round trip explicitly.
 *
 * @example
 * ```ts
 * const value = await redisClient(primaryRedis(c.env)).hget("car", "model");
 * ```
 */
export function redisClient(instance: RedisInstance): Redis {
  const cacheKey = `${instance.url}\n${instance.token}`;
  let client = clients.get(cacheKey);
  if (!client) {
    client = new Redis({
      url: instance.url,
      token: instance.token,
      retry: { retries: 1, backoff: () => 50 },
      signal: () => AbortSignal.timeout(REDIS_DEADLINE_MS),
      automaticDeserialization: false,
      responseEncoding: false,
      enableAutoPipelining: false,
      enableTelemetry: false,
    });
    clients.set(cacheKey, client);
  }
  return client;
}

/**
 * The primary database from `UPSTASH_REDIS_REST_URL` / `UPSTASH_REDIS_REST_TOKEN`, or a 503 that says how to set it.
 *
 * @example
 * ```ts
 * const redis = redisClient(primaryRedis(c.env));
 * ```
 */
export function primaryRedis(env: Bindings): RedisInstance {
  if (!env.UPSTASH_REDIS_REST_URL || !env.UPSTASH_REDIS_REST_TOKEN) {
    throw new ApiError(
      "backend_unavailable",
      "Redis is not configured: set UPSTASH_REDIS_REST_URL and UPSTASH_REDIS_REST_TOKEN (`npm run dev` sets them locally).",
    );
  }
  if (!isHttpUrl(env.UPSTASH_REDIS_REST_URL)) {
    throw new ApiError(
      "backend_unavailable",
      "UPSTASH_REDIS_REST_URL must be the database's https:// REST URL.",
    );
  }
  return { name: "primary", url: env.UPSTASH_REDIS_REST_URL, token: env.UPSTASH_REDIS_REST_TOKEN };
}

/**
 * Every configured database: the primary first, then REDIS_INSTANCES (`[{"name","url","token"}]`).
 *
 * @example
 * ```ts
 * const results = await Promise.all(allRedis(c.env).map(readFrom));
 * ```
 */
export function allRedis(env: Bindings): RedisInstance[] {
  return [
    primaryRedis(env),
    ...parseInstanceList(env.REDIS_INSTANCES, "REDIS_INSTANCES", ["name", "url", "token"]),
  ];
}

/**
 * Maps what the client threw to the API's backend errors: a deadline is 504, an unreachable or refusing
 * service is 503, and an error Redis itself answered is 502. `ApiError`s pass through.
 *
 * @example
 * ```ts
 * await redis.hgetall(key).catch((error) => { throw redisError(error); });
 * ```
 */
export function redisError(error: unknown): ApiError {
  if (error instanceof ApiError) return error;
  const message = error instanceof Error ? error.message : String(error);
  const name = error instanceof Error ? error.name : "";
  if (name === "TimeoutError" || name === "AbortError") {
    return new ApiError("backend_timeout", `Redis did not answer within ${REDIS_DEADLINE_MS} ms.`, {
      cause: error,
    });
  }
  if (/max request size exceeded/i.test(message)) {
    return new ApiError(
      "payload_too_large",
      "The hash is larger than the Redis database accepts in one request (1 MiB on Upstash Free and Pay-as-you-go).",
      { cause: error },
    );
  }
  if (/WRONGPASS|unauthori[sz]ed|invalid token/i.test(message)) {
    return new ApiError(
      "backend_unavailable",
      "Redis refused the credentials; check UPSTASH_REDIS_REST_TOKEN.",
      { cause: error },
    );
  }
  if (name !== "UpstashError" || /unavailable|unreachable|LOADING|MASTERDOWN|TRYAGAIN/i.test(message)) {
    return new ApiError("backend_unavailable", "Redis is unreachable; try again shortly.", { cause: error });
  }
  return new ApiError("backend_error", "Redis answered with an error; the request id helps us find it.", {
    cause: error,
  });
}

/**
 * The /health probe: one PING to the primary database.
 *
 * @example
 * ```ts
 * const probes = { redis: checkRedis };
 * ```
 */
export const checkRedis: HealthCheck = (env) =>
  probe(() => {
    const instance = primaryRedis(env);
    return {
      backend: `upstash ${new URL(instance.url).host}`,
      ping: () =>
        redisClient(instance)
          .ping()
          .catch((error: unknown) => Promise.reject(redisError(error))),
    };
  });
