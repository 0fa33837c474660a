import { Client, cast, DatabaseError, type Field } from "@planetscale/database";
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
import { SQL_DEADLINE_MS, type SqlFailure, sqlError } from "./errors.ts";

const clients = new Map<string, Client>();
// Text types; binary-collated text (our make/model) is typed BINARY/VARBINARY but keeps a text charset.
const textTypes = new Set(["VARCHAR", "CHAR", "TEXT", "ENUM", "SET", "VARBINARY", "BINARY", "BLOB"]);
const keepingBom = new TextDecoder("utf-8", { fatal: false, ignoreBOM: true });

// The driver decodes text with a TextDecoder that drops a leading U+FEFF, so "\ufeffModel" would read back as
// "Model". Text columns are decoded here instead; every other type keeps the driver's own cast.
function castKeepingBom(field: Field, value: string | null): ReturnType<typeof cast> {
  if (typeof value === "string" && field.charset !== 63 && textTypes.has(field.type)) {
    return keepingBom.decode(Uint8Array.from(value, (char) => char.charCodeAt(0)));
  }
  return cast(field, value);
}

// Each request gets its own deadline; the driver has no timeout of its own.
function fetchWithDeadline(input: string, init?: RequestInit): Promise<Response> {
  return fetch(input, { ...init, signal: AbortSignal.timeout(SQL_DEADLINE_MS) });
}

/**
 * A driver client per database URL, kept for the isolate's life. `Client.execute` opens a fresh session per
 * call, so concurrent requests never share one (a shared `Connection` is not safe for parallel use).
 *
 * @example
 * ```ts
 * const { rows } = await planetScaleClient(env.DATABASE_URL).execute("SELECT 1");
 * ```
 */
function planetScaleClient(url: string): Client {
  let client = clients.get(url);
  if (!client) {
    client = new Client({ url, fetch: fetchWithDeadline, cast: castKeepingBom });
    clients.set(url, client);
  }
  return client;
}

interface CarRow {
  id: string;
  make: string;
  model: string;
  year: number;
  price: string;
  specs: unknown;
  created_at: string;
}

const columns = "id, make, model, year, price, specs, created_at";

function toCar(row: CarRow): Car {
  return {
    id: String(row.id),
    make: row.make,
    model: row.model,
    year: Number(row.year),
    price: formatCents(toCents(String(row.price))),
    specs: toSpecs(row.specs),
    createdAt: toIsoUtc(row.created_at),
  };
}

// Only specs differ between the API and the MySQL columns: they are stored as canonical JSON text.
function toColumn(name: string, value: unknown): [string, unknown] {
  return [name, name === "specs" && value ? JSON.stringify(canonicalJson(value)) : value];
}

// MySQL DATETIME(3) literal in UTC: the driver would otherwise send a Date without its zone.
function toMysqlDatetime(date: Date): string {
  return date.toISOString().replace("T", " ").replace("Z", "");
}

/**
 * The cars queries for PlanetScale (or the local emulator in front of MariaDB). Every value travels as a
 * driver parameter; the driver escapes with backslashes, which is safe only while the server keeps its default
 * sql_mode (no NO_BACKSLASH_ESCAPES), as PlanetScale and our emulator do.
 *
 * @example
 * ```ts
 * const car = await new PlanetScaleCars(env.DATABASE_URL).get("1");
 * ```
 */
export class PlanetScaleCars implements CarStore {
  readonly backend: string;
  readonly #client: Client;

  constructor(url: string) {
    this.#client = planetScaleClient(url);
    this.backend = `planetscale ${new URL(url).host}`;
  }

  async #rows<T>(sql: string, args: unknown[] = []): Promise<T[]> {
    const result = await this.#client.execute<T>(sql, args).catch(rethrow);
    return result.rows;
  }

  async list(query: PageQuery) {
    const page = keysetPage(query, { column: "id", param: "?" });
    const rows = await this.#rows<CarRow>(`SELECT ${columns} FROM cars ${page.sql}`, page.args);
    return rows.map(toCar);
  }

  async get(id: string) {
    const [row] = await this.#rows<CarRow>(`SELECT ${columns} FROM cars WHERE id = ?`, [id]);
    return row ? toCar(row) : null;
  }

  async insert(car: NewCar, createdAt: Date) {
    const result = await this.#client
      .execute("INSERT INTO cars (make, model, year, price, specs, created_at) VALUES (?, ?, ?, ?, ?, ?)", [
        car.make,
        car.model,
        car.year,
        car.price,
        car.specs ? JSON.stringify(canonicalJson(car.specs)) : null,
        toMysqlDatetime(createdAt),
      ])
      .catch(rethrow);
    return result.insertId;
  }

  async update(id: string, patch: CarPatch) {
    const { sql, args } = assignmentsOf(patch, toColumn);
    const result = await this.#client
      .execute(`UPDATE cars SET ${sql} WHERE id = ?`, [...args, id])
      .catch(rethrow);
    // PlanetScale counts matched rows (CLIENT_FOUND_ROWS), so an update that changes nothing is still found.
    return result.rowsAffected === 0 ? null : this.get(id);
  }

  async remove(id: string) {
    const result = await this.#client.execute("DELETE FROM cars WHERE id = ?", [id]).catch(rethrow);
    return result.rowsAffected > 0;
  }

  async stats(): Promise<CarStats> {
    const rows = await this.#rows<{ make: string; count: string; avg_cents: string }>(
      "SELECT make, COUNT(*) AS count, ROUND(AVG(price) * 100) AS avg_cents FROM cars GROUP BY make ORDER BY make",
    );
    return toStats(rows);
  }

  async ping() {
    await this.#rows("SELECT 1");
  }
}

function rethrow(error: unknown): never {
  throw sqlError(error, classify);
}

// vtrpc codes (psdb RPCError.code) that say the database could not serve the statement, rather than refused it.
const unavailableCodes = new Set(["UNAVAILABLE", "CLUSTER_EVENT"]);
const refusedCodes = new Set(["UNAUTHENTICATED", "PERMISSION_DENIED"]);

/**
 * Reads the driver's structured fields. `DatabaseError.status` is the HTTP status of a refused request, or 400,
 * which the driver puts on every SQL error the database answered inside a 200; then `body.code` is Vitess' vtrpc
 * code. An `UnknownError` (non-JSON answer, e.g. a Cloudflare 52x page) is a `DatabaseError` with the real status.
 */
function classify(error: unknown): SqlFailure {
  if (!(error instanceof DatabaseError)) {
    // `fetch` threw, so nothing answered; a 2xx body that is not JSON (a SyntaxError) did answer, wrongly.
    return error instanceof SyntaxError ? "answered" : "unavailable";
  }
  if (error.status === 401 || error.status === 403) return "refused";
  // A gateway's timeout (504, or Cloudflare's 524) is the deadline passing one hop further on.
  if (error.status === 504 || error.status === 524) return "timeout";
  if (error.status !== 400) return "unavailable";
  const code = error.body?.code?.toUpperCase() ?? "";
  if (code === "DEADLINE_EXCEEDED") return "timeout";
  if (unavailableCodes.has(code)) return "unavailable";
  if (refusedCodes.has(code)) return "refused";
  return "answered";
}
