import type { Context, MiddlewareHandler } from "hono";
import type { AppEnv } from "../env.ts";
import { ApiError } from "../lib/errors.ts";

/** Route classes with their own budgets: cheap reads, writes, and fan-out that costs many subrequests. */
export type RateClass = "read" | "write" | "fanout";

const bindingFor = {
  read: "RATE_LIMIT_READ",
  write: "RATE_LIMIT_WRITE",
  fanout: "RATE_LIMIT_FANOUT",
} as const satisfies Record<RateClass, keyof Env>;

const fanoutPaths =
  /^\/(fetch|crawl|redis\/fanout\/[^/]+|sql\/fanout|timing\/(sequential|concurrent|compare))$/;
const writeMethods = new Set(["PUT", "PATCH", "POST", "DELETE"]);

/**
 * Which budget a request spends. `/fetch` is a POST but reads the web, so it counts as fan-out.
 *
 * @example
 * ```ts
 * classify("GET", "/crawl"); // "fanout"
 * ```
 */
export function classify(method: string, path: string): RateClass {
  if (fanoutPaths.test(path)) return "fanout";
  return writeMethods.has(method) ? "write" : "read";
}

/**
 * Limits each client IP per route class with the Workers Rate Limiting bindings, answering 429 with
 * `retry-after`. The key is `cf-connecting-ip`, which Cloudflare's edge always sets on outside requests; requests
 * without it are the Worker calling itself through `SELF` and are not limited.
 *
 * @example
 * ```ts
 * app.use(rateLimit());
 * ```
 */
export function rateLimit(): MiddlewareHandler<AppEnv> {
  return async function rateLimit(c, next) {
    const ip = c.req.header("cf-connecting-ip");
    if (!ip || c.env.RATE_LIMITS === "off") return next();
    const rateClass = classify(c.req.method, c.req.path);
    const { success } = await c.env[bindingFor[rateClass]].limit({ key: `${rateClass}:${ip}` });
    if (!success) throw tooMany(c, rateClass);
    return next();
  };
}

function tooMany(c: Context<AppEnv>, rateClass: RateClass): ApiError {
  // The bindings count per 60-second window; waiting one window is always enough.
  return new ApiError(
    "rate_limited",
    `Too many ${rateClass} requests from ${c.req.header("cf-connecting-ip")}; retry in 60 seconds.`,
    {
      headers: { "retry-after": "60" },
    },
  );
}
