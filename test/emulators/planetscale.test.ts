/**
 * The PlanetScale emulator as the real `@planetscale/database` driver sees it: results, errors, sessions and
 * transactions, parallelism, idle reaping, auth and HTTP edge cases, against a real MariaDB.
 */
import { connect } from "@planetscale/database";
import type { Connection as MysqlConnection, RowDataPacket } from "mysql2/promise";
import mysql from "mysql2/promise";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import type { MysqlBackend } from "../../emulators/backends/mariadb.ts";
import { type PlanetScaleEmulator, startPlanetScaleEmulator } from "../../emulators/planetscale/server.ts";
import {
  databaseError,
  mysqlRunnable,
  type PlanetScaleStack,
  startPlanetScale,
} from "./planetscale-harness.ts";

const runnable = mysqlRunnable("planetscale emulator");

const USERNAME = "app-user";
/** Characters that URLs percent-encode, because the driver sends them still encoded. */
const PASSWORD = "p@ss:w%rd/?#";
const EXECUTE = "/psdb.v1alpha1.Database/Execute";

/** Polls `check` until it holds; fails with `what` after the deadline. */
async function eventually(what: string, check: () => Promise<boolean>, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting until ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
}

describe.runIf(runnable)("PlanetScale emulator", () => {
  let stack: PlanetScaleStack | undefined;
  let db: MysqlBackend;
  let emulator: PlanetScaleEmulator;
  let direct: MysqlConnection;
  let endpoint: string;
  let auth: string;
  const open = () => connect({ url: emulator.url });

  async function post(pathname: string, init: RequestInit = {}) {
    const response = await fetch(new URL(pathname, endpoint), {
      method: "POST",
      ...init,
      headers: { authorization: auth, "content-type": "application/json", ...init.headers },
    });
    return {
      status: response.status,
      headers: response.headers,
      body: (await response.json()) as Record<string, unknown>,
    };
  }

  beforeAll(async () => {
    stack = await startPlanetScale({ tempPrefix: "ps-emulator-", username: USERNAME, password: PASSWORD });
    ({ db, emulator } = stack);
    direct = await mysql.createConnection({ uri: db.url });
    endpoint = `http://127.0.0.1:${emulator.port}`;
    auth = `Basic ${btoa(`${USERNAME}:${PASSWORD}`)}`;
    await direct.query(
      "CREATE TABLE cars (id BIGINT AUTO_INCREMENT PRIMARY KEY, make VARCHAR(64) NOT NULL UNIQUE)",
    );
  });

  afterAll(async () => {
    await direct?.end();
    await stack?.stop();
  });

  async function carCount(): Promise<number> {
    const [rows] = await direct.query<RowDataPacket[]>("SELECT COUNT(*) AS n FROM cars");
    return Number(rows[0]?.n);
  }

  describe("results", () => {
    test("reports rowsAffected and insertId (as a string) like the driver expects", async () => {
      const conn = open();
      const inserted = await conn.execute("INSERT INTO cars (make) VALUES (?), (?)", ["Saab", "Volvo"]);
      expect(inserted.rowsAffected).toBe(2);
      // MySQL reports the first id of a multi-row insert.
      expect(inserted.insertId).toBe("1");
      const updated = await conn.execute("UPDATE cars SET make = CONCAT(make, '!') WHERE make = ?", ["Saab"]);
      expect(updated).toMatchObject({ rowsAffected: 1, insertId: "0" });
      const selected = await conn.execute("SELECT make FROM cars ORDER BY id");
      expect(selected).toMatchObject({
        rowsAffected: 0,
        size: 2,
        rows: [{ make: "Saab!" }, { make: "Volvo" }],
      });
      const deleted = await conn.execute("DELETE FROM cars");
      expect(deleted.rowsAffected).toBe(2);
    });

    test("keeps insertIds beyond 2^53 exact", async () => {
      await direct.query(
        "CREATE TABLE big_ids (id BIGINT UNSIGNED AUTO_INCREMENT PRIMARY KEY) AUTO_INCREMENT = 9007199254740993",
      );
      const inserted = await open().execute("INSERT INTO big_ids () VALUES ()");
      expect(inserted.insertId).toBe("9007199254740993");
    });

    test("reports the server-side duration as time in milliseconds", async () => {
      const result = await open().execute("SELECT SLEEP(0.05) AS slept");
      expect(result.time).toBeGreaterThanOrEqual(50);
      expect(result.time).toBeLessThan(5_000);
    });
  });

  describe("SQL safety", () => {
    test("keeps backslash escapes in sql_mode, which the driver's quoting relies on", async () => {
      const { rows } = await open().execute("SELECT @@session.sql_mode AS session");
      expect(rows[0]?.session).not.toContain("NO_BACKSLASH_ESCAPES");
      const hostile = "x\\' OR 1=1 -- ";
      expect((await open().execute("SELECT ? AS echoed", [hostile])).rows).toEqual([{ echoed: hostile }]);
    });

    test("refuses several statements in one query and LOAD DATA LOCAL, as SQL errors", async () => {
      const stacked = await databaseError(open().execute("SELECT 1; DROP TABLE cars"));
      expect(stacked.body.code).toBe("INVALID_ARGUMENT");
      const localFile = await databaseError(
        open().execute("LOAD DATA LOCAL INFILE '/etc/hostname' INTO TABLE cars"),
      );
      // The driver reports every SQL error (HTTP 200 with `error`) as status 400; a broken connection would be 503.
      expect(localFile.status).toBe(400);
      // The DROP after the semicolon never ran.
      await expect(direct.query("SELECT COUNT(*) FROM cars")).resolves.toBeDefined();
    });
  });

  describe("SQL errors", () => {
    test("answers a syntax error with INVALID_ARGUMENT and MySQL's errno and sqlstate", async () => {
      const error = await databaseError(open().execute("SELEC 1"));
      expect(error.body.code).toBe("INVALID_ARGUMENT");
      expect(error.message).toContain("(errno 1064) (sqlstate 42000)");
    });

    test("answers a missing table with NOT_FOUND", async () => {
      const error = await databaseError(open().execute("SELECT * FROM no_such_table"));
      expect(error.body.code).toBe("NOT_FOUND");
      expect(error.message).toContain("(errno 1146) (sqlstate 42S02)");
    });

    test("answers a duplicate key with ALREADY_EXISTS", async () => {
      const conn = open();
      await conn.execute("INSERT INTO cars (make) VALUES ('Lada')");
      const error = await databaseError(conn.execute("INSERT INTO cars (make) VALUES ('Lada')"));
      expect(error.body.code).toBe("ALREADY_EXISTS");
      await conn.execute("DELETE FROM cars");
    });

    test("sends SQL errors as HTTP 200 with a session, like PlanetScale", async () => {
      const { status, body } = await post(EXECUTE, {
        body: JSON.stringify({ query: "SELEC 1", session: null }),
      });
      expect(status).toBe(200);
      expect(body).toMatchObject({
        session: { signature: expect.any(String) },
        error: { code: "INVALID_ARGUMENT" },
      });
    });
  });

  describe("sessions and transactions", () => {
    test("commits a transaction, running all of it on one MySQL connection", async () => {
      const ids = await open().transaction(async (tx) => {
        const first = await tx.execute("SELECT CONNECTION_ID() AS id");
        await tx.execute("INSERT INTO cars (make) VALUES ('Fiat')");
        const second = await tx.execute("SELECT CONNECTION_ID() AS id");
        return [first.rows[0]?.id, second.rows[0]?.id];
      });
      expect(ids[0]).toBe(ids[1]);
      expect(await carCount()).toBe(1);
      await direct.query("DELETE FROM cars");
    });

    test("keeps uncommitted rows invisible to other sessions, and rolls back when the callback throws", async () => {
      const failure = open().transaction(async (tx) => {
        await tx.execute("INSERT INTO cars (make) VALUES ('Trabant')");
        // Another session must not see the row before COMMIT.
        expect((await open().execute("SELECT COUNT(*) AS n FROM cars")).rows[0]).toEqual({ n: "0" });
        throw new Error("changed my mind");
      });
      await expect(failure).rejects.toThrow("changed my mind");
      expect(await carCount()).toBe(0);
    });

    test("rolls back after an SQL error inside the transaction", async () => {
      const failure = open().transaction(async (tx) => {
        await tx.execute("INSERT INTO cars (make) VALUES ('Skoda')");
        await tx.execute("INSERT INTO no_such_table VALUES (1)");
      });
      const error = await databaseError(failure);
      expect(error.body.code).toBe("NOT_FOUND");
      expect(await carCount()).toBe(0);
    });

    test("keeps session state such as user variables on the session's connection", async () => {
      const conn = open();
      await conn.execute("SET @answer = 42");
      expect((await conn.execute("SELECT @answer AS answer")).rows[0]).toEqual({ answer: "42" });
      // A different session starts clean.
      expect((await open().execute("SELECT @answer AS answer")).rows[0]).toEqual({ answer: null });
    });

    test("never lets a session with a forged signature into another session's transaction", async () => {
      const execute = (query: string, session: unknown) =>
        post(EXECUTE, { body: JSON.stringify({ query, session }) });
      const began = await execute("BEGIN", null);
      const session = began.body.session as { signature: string; vitessSession: Record<string, unknown> };
      const owner = await execute("SELECT CONNECTION_ID() AS id", session);
      const signature = btoa("not the emulator's signature");
      // Claiming to be inside a transaction the emulator cannot verify is refused outright...
      const claimingTransaction = await execute("SELECT CONNECTION_ID() AS id", { ...session, signature });
      expect(claimingTransaction.body.error).toMatchObject({ code: "ABORTED" });
      // ...and without that claim the statement runs on some other connection.
      const { inTransaction: _, ...idle } = session.vitessSession;
      const outsider = await execute("SELECT CONNECTION_ID() AS id", { signature, vitessSession: idle });
      expect(outsider.body.error).toBeUndefined();
      expect(outsider.body.result).not.toEqual(owner.body.result);
      // The owner's transaction is untouched.
      expect((await execute("ROLLBACK", session)).body.error).toBeUndefined();
    });

    test("answers CreateSession with a session the driver can use", async () => {
      const { status, body } = await post("/psdb.v1alpha1.Database/CreateSession", { body: "{}" });
      expect(status).toBe(200);
      expect(body).toMatchObject({ branch: "app", session: { signature: expect.any(String) } });
      const conn = open();
      await conn.refresh();
      expect((await conn.execute("SELECT 1 AS one")).rows).toEqual([{ one: "1" }]);
    });
  });

  describe("parallelism", () => {
    /** Server-side start and end of a 0.3 s statement, from MySQL's own clock. */
    const SLEEPER = "SELECT NOW(6) AS started, SLEEP(0.3) AS slept, SYSDATE(6) AS finished";
    type Interval = { started: string; finished: string };

    test("runs 20 sessions' queries at the same time on the server", async () => {
      const results = await Promise.all(Array.from({ length: 20 }, () => open().execute<Interval>(SLEEPER)));
      const intervals = results.map((result) => result.rows[0] as Interval);
      // All 20 were inside SLEEP at one shared instant: the last one started before the first one finished.
      const lastStart = intervals.map((interval) => interval.started).sort()[intervals.length - 1] ?? "";
      const firstEnd = intervals.map((interval) => interval.finished).sort()[0] ?? "";
      expect(lastStart < firstEnd).toBe(true);
    });

    test("queues a second concurrent statement on the same session until the first is done", async () => {
      const [first, second] = await open().transaction((tx) =>
        Promise.all([tx.execute<Interval>(SLEEPER), tx.execute<Interval>(SLEEPER)]),
      );
      const [earlier, later] = [first.rows[0], second.rows[0]].sort((x, y) =>
        x!.started.localeCompare(y!.started),
      );
      // MySQL's own clock: the later statement started only after the earlier one had finished.
      expect(earlier!.finished.localeCompare(later!.started)).toBeLessThanOrEqual(0);
    });

    test("queues requests beyond its 100 MySQL connections instead of failing with Too many connections", async () => {
      // 200 at once exceeds MariaDB's default max_connections (151); uncapped, dozens would fail with errno 1040.
      const results = await Promise.all(
        Array.from({ length: 200 }, (_, n) => open().execute(`SELECT SLEEP(0.1), ${n} AS n`)),
      );
      expect(results.map((result) => result.rows[0]?.n)).toEqual(
        Array.from({ length: 200 }, (_, n) => String(n)),
      );
      const [status] = await direct.query<RowDataPacket[]>("SHOW GLOBAL STATUS LIKE 'Max_used_connections'");
      // The emulator's 100, plus this test's own direct connection and a few probes at startup.
      expect(Number(status[0]?.Value)).toBeLessThanOrEqual(105);
    });
  });

  describe("idle sessions", () => {
    test("reaps a session idle in a transaction, rolling it back, and tells its client so", async () => {
      const quick = await startPlanetScaleEmulator({
        mysqlUrl: db.url,
        username: USERNAME,
        password: PASSWORD,
        port: 0,
        idleTimeoutMs: 200,
      });
      try {
        const conn = connect({ url: quick.url });
        await conn.execute("BEGIN");
        await conn.execute("INSERT INTO cars (make) VALUES ('Wartburg')");
        const { rows } = await conn.execute<{ id: string }>("SELECT CONNECTION_ID() AS id");
        const connectionId = rows[0]?.id;
        await eventually("the reaper closes the idle connection", async () => {
          const [found] = await direct.query<RowDataPacket[]>(
            "SELECT ID FROM information_schema.PROCESSLIST WHERE ID = ?",
            [connectionId],
          );
          return found.length === 0;
        });
        const error = await databaseError(conn.execute("COMMIT"));
        expect(error.body.code).toBe("ABORTED");
        expect(error.message).toContain("idle");
        expect(await carCount()).toBe(0);
        // The client got a fresh session with the error and carries on.
        expect((await conn.execute("SELECT 1 AS one")).rows).toEqual([{ one: "1" }]);
      } finally {
        await quick.close();
      }
    });
  });

  describe("HTTP", () => {
    test("refuses wrong credentials with 401 and an error object the driver turns into a DatabaseError", async () => {
      const wrong = new URL(emulator.url);
      wrong.password = "wrong";
      const error = await databaseError(connect({ url: wrong.toString() }).execute("SELECT 1"));
      expect(error.status).toBe(401);
      expect(error.body.code).toBe("unauthenticated");
      const anonymous = await post(EXECUTE, { body: "{}", headers: { authorization: "" } });
      expect(anonymous.status).toBe(401);
      expect(anonymous.body).toEqual({ error: { code: "unauthenticated", message: expect.any(String) } });
    });

    test("answers unknown paths, other methods, bad JSON and oversized bodies with an error object", async () => {
      const notFound = await post("/psdb.v1alpha1.Database/Nope", { body: "{}" });
      expect(notFound).toMatchObject({ status: 404, body: { error: { code: "not_found" } } });
      const wrongMethod = await fetch(new URL(EXECUTE, endpoint), { headers: { authorization: auth } });
      expect(wrongMethod.status).toBe(405);
      expect(wrongMethod.headers.get("allow")).toBe("POST");
      expect(await wrongMethod.json()).toMatchObject({ error: { code: "method_not_allowed" } });
      const badJson = await post(EXECUTE, { body: "{not json" });
      expect(badJson).toMatchObject({ status: 400, body: { error: { code: "invalid_argument" } } });
      const notObject = await post(EXECUTE, { body: "[1,2]" });
      expect(notObject).toMatchObject({ status: 400, body: { error: { code: "invalid_argument" } } });
      const badQuery = await post(EXECUTE, { body: JSON.stringify({ query: 42 }) });
      expect(badQuery).toMatchObject({ status: 400, body: { error: { code: "invalid_argument" } } });
    });

    test("survives arbitrary bodies and keeps serving", async () => {
      const bodies: (string | Uint8Array)[] = [
        "",
        "null",
        '"text"',
        '{"query": null, "session": {"vitessSession": []}}',
        '{"session": {"signature": 5, "vitessSession": {"SessionUUID": {}}}}',
        "[".repeat(100_000),
        Uint8Array.from({ length: 4096 }, (_, index) => (index * 131 + 7) % 256),
      ];
      for (const body of bodies) {
        const response = await fetch(new URL(EXECUTE, endpoint), {
          method: "POST",
          headers: { authorization: auth },
          body,
        });
        // Always JSON: a session (SQL ran or failed as SQL) on 200, an error object otherwise.
        const answer = (await response.json()) as { session?: unknown; error?: unknown };
        expect(response.status === 200 ? answer.session : answer.error).toBeDefined();
      }
      expect((await open().execute("SELECT 1 AS one")).rows).toEqual([{ one: "1" }]);
    });
  });
});
