import type { Car, CarPatch, CarStats, NewCar } from "../../schemas/sql.ts";

export type { Car, CarPatch, CarStats, NewCar };

type JsonObject = Record<string, unknown>;

/** One page of cars by id, optionally of one make. */
export interface PageQuery {
  make?: string | undefined;
  limit: number;
  afterId?: string | undefined;
}

/** The queries behind /sql, implemented once per dialect (PlanetScale/MySQL and D1/SQLite). */
export interface CarStore {
  /** Which backend answered, as /health reports it. */
  readonly backend: string;
  list(query: PageQuery): Promise<Car[]>;
  get(id: string): Promise<Car | null>;
  insert(car: NewCar, createdAt: Date): Promise<string>;
  update(id: string, patch: CarPatch): Promise<Car | null>;
  remove(id: string): Promise<boolean>;
  stats(): Promise<CarStats>;
  ping(): Promise<void>;
}

/**
 * Formats integer cents as the API's decimal string.
 *
 * @example
 * ```ts
 * formatCents(1899900); // "18999.00"
 * ```
 */
export function formatCents(cents: number): string {
  const sign = cents < 0 ? "-" : "";
  const abs = Math.abs(Math.round(cents));
  return `${sign}${Math.floor(abs / 100)}.${String(abs % 100).padStart(2, "0")}`;
}

/**
 * Parses the API's decimal string into integer cents without going through floating point.
 *
 * @example
 * ```ts
 * toCents("18999.5"); // 1899950
 * ```
 */
export function toCents(price: string): number {
  const [whole = "0", fraction = ""] = price.split(".");
  return Number(whole) * 100 + Number(fraction.padEnd(2, "0"));
}

/**
 * A JSON object with its keys sorted at every depth. MySQL reorders JSON keys, MariaDB and SQLite keep them
 * as sent; sorting on the way out makes every backend answer the same bytes.
 *
 * @example
 * ```ts
 * canonicalJson({ b: 1, a: { d: 2, c: 3 } }); // { a: { c: 3, d: 2 }, b: 1 }
 * ```
 */
export function canonicalJson(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(canonicalJson);
  if (typeof value !== "object" || value === null) return value;
  // fromEntries defines keys rather than assigning them, so a nested "__proto__" key stays a plain key.
  const entries = Object.entries(value).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  return Object.fromEntries(entries.map(([key, item]) => [key, canonicalJson(item)]));
}

/**
 * Reads a specs column: an object from a JSON-typed column, or text from a TEXT column.
 *
 * @example
 * ```ts
 * toSpecs('{"hp":140}'); // { hp: 140 }
 * ```
 */
export function toSpecs(value: unknown): JsonObject | null {
  const parsed = typeof value === "string" ? JSON.parse(value) : value;
  return parsed === null || parsed === undefined ? null : (canonicalJson(parsed) as JsonObject);
}

/**
 * Renders a timestamp as ISO 8601 UTC with milliseconds: `2026-11-21T06:59:00.123Z`.
 * Accepts MySQL's `2026-11-21 06:59:00.123` (the session runs in UTC) and SQLite's ISO text.
 *
 * @example
 * ```ts
 * toIsoUtc("2026-11-21 06:59:00.123"); // "2026-11-21T06:59:00.123Z"
 * ```
 */
export function toIsoUtc(value: string): string {
  const iso = value.includes("T") ? value : `${value.replace(" ", "T")}Z`;
  return new Date(iso).toISOString();
}

/**
 * The SET clause and its arguments for the fields a patch changes. `toColumn` maps an API field to the dialect's
 * column and stored value. Column names come from the validated schema's keys, never from the request's raw text.
 *
 * @example
 * ```ts
 * assignmentsOf({ price: "10" }, (name, value) => [name, value]); // { sql: "price = ?", args: ["10"] }
 * ```
 */
export function assignmentsOf(
  patch: CarPatch,
  toColumn: (name: string, value: unknown) => [string, unknown],
) {
  const sets = Object.entries(patch)
    .filter(([, value]) => value !== undefined)
    .map(([name, value]) => toColumn(name, value));
  return { sql: sets.map(([column]) => `${column} = ?`).join(", "), args: sets.map(([, value]) => value) };
}

/**
 * The stats answer from per-make rows, whichever dialect counted them (as numbers or as decimal strings).
 *
 * @example
 * ```ts
 * toStats([{ make: "Ford", count: "2", avg_cents: "150" }]); // { byMake: [{ make: "Ford", count: 2, avgPrice: "1.50" }], total: 2 }
 * ```
 */
export function toStats(
  rows: { make: string; count: number | string; avg_cents: number | string }[],
): CarStats {
  const byMake = rows.map((row) => ({
    make: row.make,
    count: Number(row.count),
    avgPrice: formatCents(Number(row.avg_cents)),
  }));
  return { byMake, total: byMake.reduce((sum, row) => sum + row.count, 0) };
}

/**
 * The WHERE / ORDER BY / LIMIT tail of a keyset page and its arguments. `id` names the id column and how a
 * dialect compares it with a bound id (D1 casts, since ids are bound as text there).
 *
 * @example
 * ```ts
 * keysetPage({ make: "Ford", limit: 3 }, { column: "id", param: "?" });
 * // { sql: "WHERE id > ? AND make = ? ORDER BY id LIMIT ?", args: ["0", "Ford", 3] }
 * ```
 */
export function keysetPage({ make, limit, afterId }: PageQuery, id: { column: string; param: string }) {
  const byMake = make === undefined ? [] : [make];
  const filters = [`${id.column} > ${id.param}`, ...byMake.map(() => "make = ?")];
  return {
    sql: `WHERE ${filters.join(" AND ")} ORDER BY ${id.column} LIMIT ?`,
    args: [afterId ?? "0", ...byMake, limit],
  };
}
