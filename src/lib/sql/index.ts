import type { Bindings } from "../../env.ts";
import { ApiError } from "../errors.ts";
import { type HealthCheck, probe } from "../health.ts";
import { isHttpUrl, parseInstanceList } from "../instances.ts";
import type { CarStore } from "./cars.ts";
import { D1Cars } from "./d1.ts";
import { PlanetScaleCars } from "./planetscale.ts";

/**
 * The SQL backend for this request: PlanetScale when DATABASE_URL is set, else the D1 binding `DB`.
 *
 * @example
 * ```ts
 * const car = await carStore(c.env).get(id);
 * ```
 */
export function carStore(env: Bindings): CarStore {
  if (env.DATABASE_URL) {
    if (!isHttpUrl(env.DATABASE_URL)) {
      throw new ApiError(
        "backend_unavailable",
        "DATABASE_URL must be a PlanetScale https://user:password@host URL.",
      );
    }
    return new PlanetScaleCars(env.DATABASE_URL);
  }
  if (env.DB) return new D1Cars(env.DB);
  throw new ApiError(
    "backend_unavailable",
    "SQL is not configured: set DATABASE_URL (PlanetScale) or bind a D1 database as DB.",
  );
}

/**
 * Every configured database for /sql/fanout: the primary first, then SQL_INSTANCES (`[{"name","url"}]`).
 *
 * @example
 * ```ts
 * await Promise.all(allCarStores(c.env).map(({ store }) => store.stats()));
 * ```
 */
export function allCarStores(env: Bindings): { name: string; store: CarStore }[] {
  const extra = parseInstanceList(env.SQL_INSTANCES, "SQL_INSTANCES", ["name", "url"]).map(
    ({ name, url }) => ({ name, store: new PlanetScaleCars(url) }),
  );
  return [{ name: "primary", store: carStore(env) }, ...extra];
}

/**
 * The /health probe: `SELECT 1` on the backend that would answer /sql.
 *
 * @example
 * ```ts
 * const probes = { sql: checkSql };
 * ```
 */
export const checkSql: HealthCheck = (env) => probe(() => carStore(env));
