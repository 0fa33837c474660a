/**
 * The database behind the PlanetScale emulator dies mid-test (SIGKILL, no clean shutdown) and comes back: clients
 * get a fast 503 meanwhile, lost transactions are reported, and everything recovers without restarting the emulator.
 */
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { connect, DatabaseError } from "@planetscale/database";
import type { Connection as MysqlConnection, RowDataPacket } from "mysql2/promise";
import mysql from "mysql2/promise";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { findMysqlServer, type MysqlBackend, startMariaDb } from "../../emulators/backends/mariadb.ts";
import { type PlanetScaleEmulator, startPlanetScaleEmulator } from "../../emulators/planetscale/server.ts";

// Without a server binary these tests cannot run; on CI that must fail, locally it must at least be said loudly.
const runnable = findMysqlServer() !== undefined || process.env.CI === "true";
if (!runnable) {
  console.warn(
    "\n⚠️  planetscale-outage tests did NOT run: no mariadbd/mysqld on PATH or in /usr/sbin (apt-get install mariadb-server)\n",
  );
}

/** The DatabaseError a promise rejects with (fails the test if it resolves or throws something else). */
async function databaseError(promise: Promise<unknown>): Promise<DatabaseError> {
  const error = await promise.then(
    () => undefined,
    (reason: unknown) => reason,
  );
  expect(error).toBeInstanceOf(DatabaseError);
  return error as DatabaseError;
}

describe.runIf(runnable)("PlanetScale emulator when its database dies", () => {
  let dataRoot: string;
  let db: MysqlBackend;
  let emulator: PlanetScaleEmulator;
  const open = () => connect({ url: emulator.url });

  /** A fresh direct connection each time: the server restarts between uses. */
  async function countRows(): Promise<number> {
    const direct: MysqlConnection = await mysql.createConnection({ uri: db.url });
    try {
      const [rows] = await direct.query<RowDataPacket[]>("SELECT COUNT(*) AS n FROM events");
      return Number(rows[0]?.n);
    } finally {
      await direct.end();
    }
  }

  async function killDatabase(): Promise<void> {
    if (!db.kill) throw new Error("the test needs a local server it can kill");
    await db.kill();
  }

  async function restartDatabase(): Promise<void> {
    if (!db.restart) throw new Error("the test needs a local server it can restart");
    await db.restart();
  }

  beforeAll(async () => {
    dataRoot = fs.mkdtempSync(path.join(os.tmpdir(), "ps-outage-"));
    db = await startMariaDb({ dataDir: path.join(dataRoot, "mariadb") });
    emulator = await startPlanetScaleEmulator({
      mysqlUrl: db.url,
      username: "app",
      password: "s3cret",
      port: 0,
    });
    await open().execute("CREATE TABLE events (id INT AUTO_INCREMENT PRIMARY KEY, name VARCHAR(32))");
  });

  afterAll(async () => {
    await emulator?.close();
    await db?.stop();
    fs.rmSync(dataRoot, { recursive: true, force: true });
  });

  test("answers 503 unavailable within a second while MySQL is down, then recovers on its own", async () => {
    // Warm the pool first, so that recovery also has to throw away connections that died with the server.
    await Promise.all([open().execute("SELECT 1"), open().execute("SELECT 2")]);
    await killDatabase();

    const started = performance.now();
    const error = await databaseError(open().execute("SELECT 1"));
    expect(performance.now() - started).toBeLessThan(1000);
    expect(error.status).toBe(503);
    expect(error.body).toMatchObject({
      code: "unavailable",
      message: expect.stringContaining("unreachable"),
    });

    await restartDatabase();
    // No retry loop: restart() resolves once MySQL accepts connections, and the emulator must just work again.
    expect((await open().execute("SELECT 1 AS one")).rows).toEqual([{ one: 1 }]);
    const parallel = await Promise.all([1, 2, 3].map((n) => open().execute(`SELECT ${n} AS n`)));
    expect(parallel.map((result) => result.rows[0])).toEqual([{ n: 1 }, { n: 2 }, { n: 3 }]);
  });

  test("reports a transaction whose connection died as ABORTED, accepts its ROLLBACK, and commits nothing", async () => {
    const [continuing, rollingBack] = [open(), open()];
    for (const conn of [continuing, rollingBack]) {
      await conn.execute("BEGIN");
      await conn.execute("INSERT INTO events (name) VALUES ('lost')");
    }
    await killDatabase();
    await restartDatabase();

    // Running the rest on a new connection would commit half a transaction; the client must hear it is gone.
    const error = await databaseError(continuing.execute("INSERT INTO events (name) VALUES ('after')"));
    expect(error.body.code).toBe("ABORTED");
    expect(error.message).toContain("lost its MySQL connection");
    // ROLLBACK of a transaction that is already gone succeeds, as MySQL's own ROLLBACK without a transaction does.
    expect((await rollingBack.execute("ROLLBACK")).rowsAffected).toBe(0);
    expect(await countRows()).toBe(0);
    // The client carries on with the fresh session it was handed, and other sessions never noticed.
    expect((await continuing.execute("SELECT COUNT(*) AS n FROM events")).rows).toEqual([{ n: "0" }]);
    expect((await open().execute("SELECT 1 AS one")).rows).toEqual([{ one: 1 }]);
  });

  test("lets the driver's transaction() surface the outage itself, not a failing ROLLBACK", async () => {
    let statementError: unknown;
    const outcome = open().transaction(async (tx) => {
      await tx.execute("INSERT INTO events (name) VALUES ('doomed')");
      await killDatabase();
      await tx.execute("INSERT INTO events (name) VALUES ('never')").catch((error: unknown) => {
        statementError = error;
        throw error;
      });
    });
    // transaction() sends ROLLBACK after the failure and rethrows; had the ROLLBACK failed, its error would win.
    const error = await databaseError(outcome);
    expect(error).toBe(statementError);
    // Whether the emulator saw the connection close before this statement (ABORTED) or while sending it (503)
    // depends on socket timing; both tell the client the transaction is lost.
    expect(["unavailable", "ABORTED"]).toContain(error.body.code);
    await restartDatabase();
    expect(await countRows()).toBe(0);
    expect((await open().execute("SELECT 1 AS one")).rows).toEqual([{ one: 1 }]);
  });
});
