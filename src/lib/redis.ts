import { errors, Redis } from "@upstash/redis/cloudflare";
import type { Bindings } from "../env.ts";
import { ApiError, type ErrorCode } from "./errors.ts";
import { type Failure, isDeadline } from "./failures.ts";
import { type HealthCheck, probe } from "./health.ts";
import { byValue, instanceList, isHttpUrl } from "./instances.ts";

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

// Parsed once per value (see byValue): the primary first, then REDIS_INSTANCES (`[{"name","url","token"}]`).
const primaryFrom = byValue(function primaryFrom(url?: string, token?: string): RedisInstance {
  if (!url || !token) {
    throw new ApiError(
      "backend_unavailable",
      "Redis is not configured: set UPSTASH_REDIS_REST_URL and UPSTASH_REDIS_REST_TOKEN (`npm run dev` sets them locally).",
    );
  }
  if (!isHttpUrl(url)) {
    throw new ApiError(
      "backend_unavailable",
      "UPSTASH_REDIS_REST_URL must be the database's https:// REST URL.",
    );
  }
  return { name: "primary", url, token };
});
const redisInstances = instanceList("REDIS_INSTANCES", ["name", "url", "token"]);
const everyRedis = byValue((url?: string, token?: string, extra?: string): readonly RedisInstance[] => [
  primaryFrom(url, token),
  ...redisInstances(extra),
]);

/**
 * The primary database from `UPSTASH_REDIS_REST_URL` / `UPSTASH_REDIS_REST_TOKEN`, or a 503 that says how to set it.
 *
 * @example
 * ```ts
 * const redis = redisClient(primaryRedis(c.env));
 * ```
 */
export function primaryRedis(env: Bindings): RedisInstance {
  return primaryFrom(env.UPSTASH_REDIS_REST_URL, env.UPSTASH_REDIS_REST_TOKEN);
}

/**
 * Every configured database: the primary first, then REDIS_INSTANCES (`[{"name","url","token"}]`).
 *
 * @example
 * ```ts
 * const results = await Promise.all(allRedis(c.env).map(readFrom));
 * ```
 */
export function allRedis(env: Bindings): readonly RedisInstance[] {
  return everyRedis(env.UPSTASH_REDIS_REST_URL, env.UPSTASH_REDIS_REST_TOKEN, env.REDIS_INSTANCES);
}

const failures: Record<Failure, [ErrorCode, string]> = {
  timeout: ["backend_timeout", `Redis did not answer within ${REDIS_DEADLINE_MS} ms.`],
  too_large: [
    "payload_too_large",
    "The hash is larger than the Redis database accepts in one request (1 MiB on Upstash Free and Pay-as-you-go).",
  ],
  refused: ["backend_unavailable", "Redis refused the credentials; check UPSTASH_REDIS_REST_TOKEN."],
  unavailable: ["backend_unavailable", "Redis is unreachable; try again shortly."],
  answered: ["backend_error", "Redis answered with an error; the request id helps us find it."],
};

/**
 * Maps what the client threw to the API's backend errors: a deadline is 504, an unreachable or refusing
 * service is 503, a request over Upstash's size limit 413, and an error Redis itself answered is 502.
 * `ApiError`s pass through.
 *
 * @example
 * ```ts
 * await redis.hgetall(key).catch((error) => { throw redisError(error); });
 * ```
 */
export function redisError(error: unknown): ApiError {
  if (error instanceof ApiError) return error;
  const [code, message] = failures[classify(error)];
  return new ApiError(code, message, { cause: error });
}

function classify(error: unknown): Failure {
  if (isDeadline(error)) return "timeout";
  // Anything but an UpstashError means no answer came: `fetch` itself threw (workerd: "Network connection lost.").
  // A body that is not JSON did not come from the REST API either (a proxy's error page, a cut-off answer).
  if (!(error instanceof errors.UpstashError) || error instanceof errors.UpstashJSONParseError) {
    return "unavailable";
  }
  return upstashReplyKind(error.message);
}

// The one place that reads Upstash error text, because text is all @upstash/redis keeps: it throws
// `UpstashError("<body.error>, command was: <command>")` for any non-2xx answer, without the status (pkg/http.ts),
// and `Command N [ name ] failed: <error>` for a failed pipeline item. Only the server's part is read, never the
// echoed command, which holds the caller's keys and values. Redis errors start with an upper-case code (RESP);
// Upstash's own refusals are sentences: 401 "WRONGPASS invalid or missing auth token" (earlier "Unauthorized",
// SRH's "Invalid token") and 413 "ERR max request size exceeded" (Upstash docs, troubleshooting).
function upstashReplyKind(message: string): Failure {
  const text = message.replace(/^Command (?:\d+ \[ \S+ \] )?failed: /, "").split(", command was: ")[0] ?? "";
  if (/^(?:WRONGPASS|NOAUTH|NOPERM)\b|^(?:unauthori[sz]ed|invalid token)\b/i.test(text)) return "refused";
  if (/\bmax request size exceeded\b/i.test(text)) return "too_large";
  // Redis' codes for a server that cannot serve yet, and the "unreachable" of a REST endpoint that lost its Redis.
  if (/^(?:LOADING|MASTERDOWN|TRYAGAIN|CLUSTERDOWN|BUSY)\b|\b(?:unreachable|unavailable)\b/i.test(text)) {
    return "unavailable";
  }
  return "answered";
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
