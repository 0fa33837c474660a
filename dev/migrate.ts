/**
 * `npm run db:migrate`: applies migrations/mysql to DATABASE_URL (PlanetScale, or the local emulator) through
 * the same driver the Worker uses, or, without DATABASE_URL, migrations/d1 to the remote D1 database
 * (`-- --local` for the one `wrangler dev` uses).
 */
import { spawnSync } from "node:child_process";
import { readdir, readFile } from "node:fs/promises";
import { join } from "node:path";
import { type Connection, connect } from "@planetscale/database";

const mysqlDir = new URL("../migrations/mysql/", import.meta.url).pathname;

/**
 * Applies every migrations/mysql file not yet recorded in `schema_migrations`, in name order.
 *
 * @example
 * ```ts
 * await migrateMysql("http://root:secret@127.0.0.1:3900"); // ["0001_create_cars.sql"]
 * ```
 */
export async function migrateMysql(databaseUrl: string, dir = mysqlDir): Promise<string[]> {
  const connection = connect({ url: databaseUrl });
  await connection.execute(
    "CREATE TABLE IF NOT EXISTS schema_migrations (name VARCHAR(255) NOT NULL PRIMARY KEY, applied_at DATETIME(3) NOT NULL DEFAULT CURRENT_TIMESTAMP(3))",
  );
  const { rows } = await connection.execute<{ name: string }>("SELECT name FROM schema_migrations");
  const applied = new Set(rows.map((row) => row.name));
  const pending = (await readdir(dir)).filter((name) => name.endsWith(".sql") && !applied.has(name)).sort();
  const dialect = await dialectOf(connection);
  for (const name of pending) {
    for (const statement of splitStatements(await readFile(join(dir, name), "utf8"))) {
      await connection.execute(dialect(statement));
    }
    await connection.execute("INSERT INTO schema_migrations (name) VALUES (?)", [name]);
  }
  return pending;
}

/**
 * The migrations are written for PlanetScale (MySQL 8). MariaDB, behind the local emulator, names the same
 * byte-wise, no-pad collation differently (newer MariaDB also accepts the MySQL name).
 */
async function dialectOf(connection: Connection): Promise<(sql: string) => string> {
  const { rows } = await connection.execute<{ version: string }>("SELECT VERSION() AS version");
  const mariadb = rows[0]?.version.includes("MariaDB") ?? false;
  return (sql) => (mariadb ? sql.replaceAll("utf8mb4_0900_bin", "utf8mb4_nopad_bin") : sql);
}

// Our migration files end each statement with `;` at the end of a line and hold no procedures.
function splitStatements(sql: string): string[] {
  return sql
    .replace(/^\s*--.*$/gm, "")
    .split(/;\s*$/m)
    .map((statement) => statement.trim())
    .filter(Boolean);
}

async function main() {
  const databaseUrl = process.env.DATABASE_URL;
  if (databaseUrl) {
    const applied = await migrateMysql(databaseUrl);
    console.log(applied.length ? `Applied ${applied.join(", ")}` : "MySQL schema is up to date.");
    return;
  }
  const where = process.argv.includes("--local") ? "--local" : "--remote";
  const result = spawnSync("npx", ["wrangler", "d1", "migrations", "apply", "DB", where], {
    stdio: "inherit",
  });
  process.exitCode = result.status ?? 1;
}

if (import.meta.main) {
  main().catch((error: unknown) => {
    console.error(`db:migrate failed: ${error instanceof Error ? error.message : String(error)}`);
    process.exitCode = 1;
  });
}
