import { ApiError } from "../errors.ts";
import {
  assignmentsOf,
  type Car,
  type CarPatch,
  type CarStats,
  type CarStore,
  canonicalJson,
  formatCents,
  keysetPage,
  type NewCar,
  type PageQuery,
  toCents,
  toIsoUtc,
  toSpecs,
  toStats,
} from "./cars.ts";
import { type SqlFailure, sqlError, withDeadline } from "./errors.ts";

interface CarRow {
  id: string;
  make: string;
  model: string;
  year: number;
  price_cents: number;
  specs: string | null;
  created_at: string;
}

// Ids travel as text both ways: SQLite integers above 2^53 would lose precision as JavaScript numbers.
// The alias shadows the column in ORDER BY, so queries name the column as `cars.id`.
const columns = "CAST(cars.id AS TEXT) AS id, make, model, year, price_cents, specs, created_at";

function toCar(row: CarRow): Car {
  return {
    id: row.id,
    make: row.make,
    model: row.model,
    year: row.year,
    price: formatCents(row.price_cents),
    specs: toSpecs(row.specs),
    createdAt: toIsoUtc(row.created_at),
  };
}

// The D1 schema keeps prices in cents; this is the one place API names meet its column names.
function toColumn(name: string, value: unknown): [string, unknown] {
  if (name === "price") return ["price_cents", toCents(String(value))];
  if (name === "specs") return ["specs", value ? JSON.stringify(canonicalJson(value)) : null];
  return [name, value];
}

/**
 * The one place that reads D1 error text, because text is all D1 gives: the binding throws a plain
 * `Error("D1_ERROR: <text>")` (its `cause` holds the same text), with no code field; Cloudflare's D1 docs list the
 * errors by their text, and their retry example matches it too. An SQL error ends in SQLite's result code
 * (`...: SQLITE_CONSTRAINT`), so it is the database answering, whatever words the text contains (a column or a
 * RAISE message may say "connection" or "timed out"). Without that code, only D1's documented transient
 * failures (lost connection, overloaded, a reset of the database's Durable Object) count as unreachable.
 */
function classifyD1(error: unknown): SqlFailure {
  const message = error instanceof Error ? error.message : String(error);
  if (/: SQLITE_[A-Z_]+(?: \(extended: SQLITE_[A-Z_]+\))?$/.test(message)) return "answered";
  if (/Network connection lost|\boverloaded\b|\breset\b|transient issue/i.test(message)) return "unavailable";
  return "answered";
}

/** The 503 of a D1 database without our tables: what plain `wrangler dev` starts with. */
function notMigrated(cause: unknown): ApiError {
  return new ApiError(
    "backend_unavailable",
    "The D1 database has no cars table yet: run `npx wrangler d1 migrations apply DB --local` (or `--remote` for the deployed database).",
    { cause },
  );
}

/**
 * The cars queries for D1, the default SQL backend when no DATABASE_URL is set. Same answers as PlanetScale,
 * byte for byte: cents become the same decimal strings, and timestamps the same ISO text.
 *
 * @example
 * ```ts
 * const car = await new D1Cars(env.DB).get("1");
 * ```
 */
export class D1Cars implements CarStore {
  readonly backend = "d1";
  readonly #db: D1Database;

  constructor(db: D1Database) {
    this.#db = db;
  }

  /**
   * Races a D1 call against the deadline (D1 calls take no AbortSignal; a late answer is ignored) and maps its
   * failure. An SQL error may mean the migrations never ran: that is asked of the schema, not read from the text.
   */
  async #settle<T>(work: Promise<T>): Promise<T> {
    try {
      return await withDeadline(work);
    } catch (error) {
      const failure = sqlError(error, classifyD1);
      if (failure.code === "backend_error" && !(await this.#hasCarsTable())) throw notMigrated(error);
      throw failure;
    }
  }

  // When even this check fails, the original error is the better answer, so it counts as "has the table".
  #hasCarsTable(): Promise<boolean> {
    const lookup = this.#db
      .prepare("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'cars'")
      .first();
    return withDeadline(lookup).then(
      (row) => row !== null,
      () => true,
    );
  }

  async #all<T>(sql: string, ...args: unknown[]): Promise<T[]> {
    const result = await this.#settle(
      this.#db
        .prepare(sql)
        .bind(...args)
        .all<T>(),
    );
    return result.results;
  }

  async list(query: PageQuery) {
    const page = keysetPage(query, { column: "cars.id", param: "CAST(? AS INTEGER)" });
    const rows = await this.#all<CarRow>(`SELECT ${columns} FROM cars ${page.sql}`, ...page.args);
    return rows.map(toCar);
  }

  async get(id: string) {
    const [row] = await this.#all<CarRow>(
      `SELECT ${columns} FROM cars WHERE cars.id = CAST(? AS INTEGER)`,
      id,
    );
    return row ? toCar(row) : null;
  }

  async insert(car: NewCar, createdAt: Date) {
    const insert = this.#db
      .prepare(
        "INSERT INTO cars (make, model, year, price_cents, specs, created_at) VALUES (?, ?, ?, ?, ?, ?)",
      )
      .bind(
        car.make,
        car.model,
        car.year,
        toCents(car.price),
        toColumn("specs", car.specs)[1],
        createdAt.toISOString(),
      )
      .run();
    const result = await this.#settle(insert);
    return String(result.meta.last_row_id);
  }

  async update(id: string, patch: CarPatch) {
    const { sql, args } = assignmentsOf(patch, toColumn);
    const [row] = await this.#all<CarRow>(
      `UPDATE cars SET ${sql} WHERE cars.id = CAST(? AS INTEGER) RETURNING ${columns}`,
      ...args,
      id,
    );
    return row ? toCar(row) : null;
  }

  async remove(id: string) {
    const result = await this.#settle(
      this.#db.prepare("DELETE FROM cars WHERE id = CAST(? AS INTEGER)").bind(id).run(),
    );
    return result.meta.changes > 0;
  }

  async stats(): Promise<CarStats> {
    const rows = await this.#all<{ make: string; count: number; avg_cents: number }>(
      "SELECT make, COUNT(*) AS count, ROUND(AVG(price_cents)) AS avg_cents FROM cars GROUP BY make ORDER BY make",
    );
    return toStats(rows);
  }

  // Reads the table, not just `SELECT 1`, so /health reports an unmigrated database with the command to run.
  async ping() {
    await this.#all("SELECT 1 FROM cars LIMIT 1");
  }
}
