import type { RequestIdVariables } from "hono/request-id";
import type { TimingVariables } from "hono/timing";

/**
 * Secrets and optional settings that `wrangler types` cannot see, because they live in
 * `wrangler secret put` (production) or `.dev.vars` (local), not in wrangler.toml. Every one may be absent.
 */
export interface Secrets {
  /** Bearer token that writes must present; see README "Limits and safety". */
  API_TOKEN?: string;
  /** Primary Upstash database (REST URL and token from the Upstash console, or the local emulator). */
  UPSTASH_REDIS_REST_URL?: string;
  UPSTASH_REDIS_REST_TOKEN?: string;
  /** JSON list of extra Redis databases for /redis/fanout: `[{"name","url","token"}]`. */
  REDIS_INSTANCES?: string;
  /** PlanetScale connection URL `https://user:password@host` (or `http://` for the local emulator). */
  DATABASE_URL?: string;
  /** JSON list of extra SQL databases for /sql/fanout: `[{"name","url"}]`. */
  SQL_INSTANCES?: string;
  /** Slow upstream for /timing; when empty the Worker calls its own /timing/delay through `SELF`. */
  DELAY_UPSTREAM_URL?: string;
}

/** Everything a handler can read from `c.env`. */
export type Bindings = Env & Secrets;

/**
 * The Hono environment shared by every router in this Worker.
 *
 * @example
 * ```ts
 * const app = new Hono<AppEnv>();
 * app.get("/", (c) => c.json({ production: isProduction(c.env) }));
 * ```
 */
export interface AppEnv {
  Bindings: Bindings;
  Variables: RequestIdVariables & TimingVariables;
}

/**
 * Whether the strict production defaults apply (token-guarded writes, no loopback crawl targets).
 * Anything but an explicit "development" counts as production, so a misconfigured deploy fails safe.
 *
 * @example
 * ```ts
 * if (isProduction(c.env) && !c.env.API_TOKEN) throw new ApiError("forbidden", "Writes are disabled.");
 * ```
 */
export function isProduction(env: Pick<Bindings, "ENVIRONMENT">): boolean {
  return env.ENVIRONMENT !== "development";
}
