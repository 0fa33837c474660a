/**
 * The PlanetScale-compatible endpoint measured alone against mysql2 straight to MariaDB: a point SELECT and an
 * INSERT as a fixed HTTP request from wrk (bench/http-load.ts) → endpoint → MariaDB, and through mysql2's `query`
 * from this process, one connection per client.
 */
import mysql from "mysql2/promise";
import { type HttpLoadPlan, loadHttp, medianRound } from "./http-load.ts";
import { type Comparison, runLoad } from "./load.ts";

/** Where the two paths lead. */
export interface SqlTarget {
  /** http://user:password@127.0.0.1:port of the PlanetScale-compatible endpoint. */
  planetscaleUrl: string;
  /** mysql://root@127.0.0.1:port/db of the MariaDB behind it. */
  mysqlUrl: string;
}

// Row 1 is the seed's first car; the columns are the ones GET /sql/cars/{id} reads. The SQL is final, as the
// driver sends it after interpolating parameters.
const STATEMENTS = [
  {
    name: "SELECT by id",
    sql: "SELECT id, make, model, year, price, specs, created_at FROM cars WHERE id = 1",
  },
  {
    name: "INSERT",
    sql: "INSERT INTO cars (make, model, year, price) VALUES ('Bench', 'Insert', 2024, '1.00')",
  },
];

/**
 * Measures the SELECT and the INSERT both ways at each number of connections.
 *
 * @example
 * ```ts
 * const rows = await benchSql({ planetscaleUrl, mysqlUrl }, [1, 16, 64], plan);
 * ```
 */
export async function benchSql(
  target: SqlTarget,
  connections: number[],
  plan: HttpLoadPlan,
): Promise<Comparison[]> {
  const { origin, username, password } = new URL(target.planetscaleUrl);
  // What @planetscale/database sends: Basic auth from the URL as is, and a body without a session.
  const headers = {
    authorization: `Basic ${btoa(`${username}:${password}`)}`,
    "content-type": "application/json",
  };
  const clients = await Promise.all(
    Array.from({ length: Math.max(...connections) }, () => mysql.createConnection(target.mysqlUrl)),
  );
  try {
    const rows: Comparison[] = [];
    for (const { name, sql } of STATEMENTS) {
      for (const concurrency of connections) {
        const body = JSON.stringify({ query: sql, session: null });
        const url = `${origin}/psdb.v1alpha1.Database/Execute`;
        rows.push(
          await medianRound(
            name,
            concurrency,
            plan.rounds,
            () => loadHttp({ url, headers, body }, concurrency, plan),
            () => runLoad((i) => clients[i]!.query(sql), concurrency, plan),
          ),
        );
      }
    }
    return rows;
  } finally {
    await Promise.all(clients.map((client) => client.end()));
  }
}
