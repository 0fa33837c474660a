/**
 * The PlanetScale-compatible endpoint against plain MySQL: a point SELECT and an INSERT through
 * `@planetscale/database` → endpoint → MariaDB, and through mysql2 straight to MariaDB.
 */
import { connect } from "@planetscale/database";
import mysql from "mysql2/promise";
import { type Comparison, compareOperations, type LoadPlan } from "./load.ts";

/** Where the two paths lead. */
export interface SqlTarget {
  /** http://user:password@127.0.0.1:port of the PlanetScale-compatible endpoint. */
  planetscaleUrl: string;
  /** mysql://root@127.0.0.1:port/db of the MariaDB behind it. */
  mysqlUrl: string;
}

// Row 1 is the seed's first car; the columns are the ones GET /sql/cars/{id} reads.
const SELECT = "SELECT id, make, model, year, price, specs, created_at FROM cars WHERE id = ?";
const SELECT_PARAMS = [1];
const INSERT = "INSERT INTO cars (make, model, year, price) VALUES (?, ?, ?, ?)";
const INSERT_PARAMS = ["Bench", "Insert", 2024, "1.00"];

/**
 * Measures the SELECT and the INSERT both ways at each concurrency, one connection per client on each side.
 * mysql2 runs `query` (text protocol, parameters escaped by the client) because that is what the endpoint does
 * with the SQL the driver sends, so the ratio isolates the HTTP hop rather than prepared statements.
 *
 * @example
 * ```ts
 * const rows = await benchSql({ planetscaleUrl, mysqlUrl }, [1, 16, 64], plan);
 * ```
 */
export async function benchSql(
  target: SqlTarget,
  concurrencies: number[],
  plan: LoadPlan,
): Promise<Comparison[]> {
  const clients = Math.max(...concurrencies);
  const viaHttp = Array.from({ length: clients }, () => connect({ url: target.planetscaleUrl }));
  const viaMysql = await Promise.all(
    Array.from({ length: clients }, () => mysql.createConnection(target.mysqlUrl)),
  );
  try {
    return await compareOperations(
      [
        {
          name: "SELECT by id",
          endpoint: (i) => viaHttp[i]!.execute(SELECT, SELECT_PARAMS),
          direct: (i) => viaMysql[i]!.query(SELECT, SELECT_PARAMS),
        },
        {
          name: "INSERT",
          endpoint: (i) => viaHttp[i]!.execute(INSERT, INSERT_PARAMS),
          direct: (i) => viaMysql[i]!.query(INSERT, INSERT_PARAMS),
        },
      ],
      concurrencies,
      plan,
    );
  } finally {
    await Promise.all(viaMysql.map((connection) => connection.end()));
  }
}
