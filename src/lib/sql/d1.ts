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
import { sqlError, withDeadline } from "./errors.ts";

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

// D1 calls take no AbortSignal, so the deadline races them; a late answer is then ignored.
function settle<T>(work: Promise<T>): Promise<T> {
  return withDeadline(work).catch((error: unknown) => {
    throw sqlError(error);
  });
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

  async #all<T>(sql: string, ...args: unknown[]): Promise<T[]> {
    const result = await settle(
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
    const result = await settle(insert);
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
    const result = await settle(
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

  async ping() {
    await this.#all("SELECT 1");
  }
}
