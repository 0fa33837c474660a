import type { Bindings } from "../../env.ts";
import { ApiError } from "../errors.ts";
import { type HealthCheck, probe } from "../health.ts";
import { byValue, instanceList, isHttpUrl } from "../instances.ts";
import type { CarStore } from "./cars.ts";
import { D1Cars } from "./d1.ts";
import { PlanetScaleCars } from "./planetscale.ts";

// Parsed once per value (see byValue), so a request reuses the store its configuration already made.
const planetScaleStore = byValue(function planetScaleStore(url: string): CarStore {
  if (!isHttpUrl(url)) {
    throw new ApiError(
      "backend_unavailable",
      "DATABASE_URL must be a PlanetScale https://user:password@host URL.",
    );
  }
  return new PlanetScaleCars(url);
});
const sqlInstances = instanceList("SQL_INSTANCES", ["name", "url"]);
const extraStores = byValue((raw?: string): { name: string; store: CarStore }[] =>
  sqlInstances(raw).map(({ name, url }) => ({ name, store: new PlanetScaleCars(url) })),
);

/**
 * The SQL backend for this request: PlanetScale when DATABASE_URL is set, else the D1 binding `DB`.
 *
 * @example
 * ```ts
 * const car = await carStore(c.env).get(id);
 * ```
 */
export function carStore(env: Bindings): CarStore {
  if (env.DATABASE_URL) return planetScaleStore(env.DATABASE_URL);
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
  const extra = extraStores(env.SQL_INSTANCES);
  return [{ name: "primary", store: carStore(env) }, ...extra];
}

/**
 * The /health probe: one cheap query on the backend that would answer /sql.
 *
 * @example
 * ```ts
 * const probes = { sql: checkSql };
 * ```
 */
export const checkSql: HealthCheck = (env) => probe(() => carStore(env));
