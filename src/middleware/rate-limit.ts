import type { Context, MiddlewareHandler } from "hono";
import ipaddr from "ipaddr.js";
import type { AppEnv } from "../env.ts";
import { ApiError } from "../lib/errors.ts";

/** Route classes with their own budgets: cheap reads, writes, and fan-out that costs many subrequests. */
type RateClass = "read" | "write" | "fanout";

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
    const { success } = await c.env[bindingFor[rateClass]].limit({ key: `${rateClass}:${clientKey(ip)}` });
    if (!success) throw tooMany(c, rateClass);
    return next();
  };
}

/**
 * Who a request counts against: the IPv4 address, or the /64 of an IPv6 one, since one IPv6 client usually holds
 * a whole /64 and could otherwise take a fresh budget from every address in it.
 *
 * @example
 * ```ts
 * clientKey("2001:db8:1:2:aaaa::1"); // "2001:db8:1:2::/64"
 * ```
 */
export function clientKey(ip: string): string {
  if (!ipaddr.IPv6.isValid(ip)) return ip;
  const address = ipaddr.IPv6.parse(ip);
  if (address.isIPv4MappedAddress()) return address.toIPv4Address().toString();
  return `${address.parts
    .slice(0, 4)
    .map((part) => part.toString(16))
    .join(":")}::/64`;
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
