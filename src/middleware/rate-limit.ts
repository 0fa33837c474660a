import type { Context, MiddlewareHandler } from "hono";
import ipaddr from "ipaddr.js";
import type { AppEnv } from "../env.ts";
import { ApiError } from "../lib/errors.ts";

/** Route classes with their own budgets: cheap reads, writes, and fan-out that costs many subrequests. */
export type RateClass = "read" | "write" | "fanout";

const bindingFor = {
  read: "RATE_LIMIT_READ",
  write: "RATE_LIMIT_WRITE",
  fanout: "RATE_LIMIT_FANOUT",
} as const satisfies Record<RateClass, keyof Env>;

/**
 * Limits each client IP within one route class with the Workers Rate Limiting bindings, answering 429 with
 * `retry-after`. Routes declare their class through `endpoint({ rate })`, so a new fan-out route cannot silently
 * get the read budget. The key is `cf-connecting-ip`, which Cloudflare's edge always sets on outside requests;
 * requests without it are the Worker calling itself through `SELF` and are not limited.
 *
 * @example
 * ```ts
 * new Hono<AppEnv>().get("/crawl", limitRate("fanout"), (c) => c.json({}));
 * ```
 */
export function limitRate(rateClass: RateClass): MiddlewareHandler<AppEnv> {
  return async function limitRate(c, next) {
    const ip = c.req.header("cf-connecting-ip");
    if (!ip || c.env.RATE_LIMITS === "off") return next();
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
