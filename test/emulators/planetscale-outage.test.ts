/**
 * The database behind the PlanetScale emulator dies mid-test (SIGKILL, no clean shutdown) and comes back: clients
 * get a fast 503 meanwhile, lost transactions are reported, and everything recovers without restarting the emulator.
 */
import { connect } from "@planetscale/database";
import type { Connection as MysqlConnection, RowDataPacket } from "mysql2/promise";
import mysql from "mysql2/promise";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import type { MysqlBackend } from "../../emulators/backends/mariadb.ts";
import type { PlanetScaleEmulator } from "../../emulators/planetscale/server.ts";
import {
  databaseError,
  mysqlRunnable,
  type PlanetScaleStack,
  startPlanetScale,
} from "./planetscale-harness.ts";

const runnable = mysqlRunnable("planetscale-outage");

describe.runIf(runnable)("PlanetScale emulator when its database dies", () => {
  let stack: PlanetScaleStack | undefined;
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
    stack = await startPlanetScale({ tempPrefix: "ps-outage-", username: "app", password: "s3cret" });
    ({ db, emulator } = stack);
    await open().execute("CREATE TABLE events (id INT AUTO_INCREMENT PRIMARY KEY, name VARCHAR(32))");
  });

  afterAll(async () => {
    await stack?.stop();
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
    expect((await open().execute("SELECT 1 AS one")).rows).toEqual([{ one: "1" }]);
    const parallel = await Promise.all([1, 2, 3].map((n) => open().execute(`SELECT ${n} AS n`)));
    expect(parallel.map((result) => result.rows[0])).toEqual([{ n: "1" }, { n: "2" }, { n: "3" }]);
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
    expect((await open().execute("SELECT 1 AS one")).rows).toEqual([{ one: "1" }]);
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
    expect((await open().execute("SELECT 1 AS one")).rows).toEqual([{ one: "1" }]);
  });
});
