/**
 * What makes the PlanetScale endpoint behave like MySQL 8 on PlanetScale rather than like the MariaDB behind it:
 * the body cap, `SET TRANSACTION` kept to its own session, MySQL 8's sql_mode, INT64 integer expressions. Checked
 * through `@planetscale/database`, and the cheap cases through drizzle-orm and kysely-planetscale too.
 */
import { type Connection, connect } from "@planetscale/database";
import { sql } from "drizzle-orm";
import { drizzle } from "drizzle-orm/planetscale-serverless";
import fc from "fast-check";
import { Kysely, sql as ksql } from "kysely";
import { PlanetScaleDialect } from "kysely-planetscale";
import mysql from "mysql2/promise";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { MYSQL8_SQL_MODE } from "../../emulators/planetscale/backend.ts";
import { startPlanetScaleEmulator } from "../../emulators/planetscale/server.ts";
import {
  databaseError,
  mysqlRunnable,
  type PlanetScaleStack,
  startPlanetScale,
} from "./planetscale-harness.ts";

const runnable = mysqlRunnable("planetscale MySQL 8 behaviour");

/** Rows of `dirty` this statement can see: 1 only under READ UNCOMMITTED, while another transaction holds one. */
const DIRTY_ROWS = "SELECT COUNT(*) AS n FROM dirty";

describe.runIf(runnable)("PlanetScale endpoint, MySQL 8 behaviour", () => {
  let stack: PlanetScaleStack | undefined;
  let url: string;
  /** Holds an uncommitted row in `dirty` for the whole suite, straight on MariaDB, so isolation is observable. */
  let dirtyWriter: mysql.Connection | undefined;
  const open = () => connect({ url });

  beforeAll(async () => {
    stack = await startPlanetScale({ tempPrefix: "ps-mysql8-", username: "u", password: "p" });
    url = stack.emulator.url;
    await open().execute("CREATE TABLE notes (id INT AUTO_INCREMENT PRIMARY KEY, body VARCHAR(64) NOT NULL)");
    await open().execute("CREATE TABLE blobs (id INT PRIMARY KEY, data LONGBLOB NOT NULL)");
    await open().execute("CREATE TABLE days (id INT PRIMARY KEY, day DATE NOT NULL)");
    await open().execute("INSERT INTO notes (body) VALUES ('a'), ('b')");
    await open().execute("CREATE TABLE dirty (id INT PRIMARY KEY)");
    dirtyWriter = await mysql.createConnection(stack.db.url);
    await dirtyWriter.query("BEGIN");
    await dirtyWriter.query("INSERT INTO dirty (id) VALUES (1)");
  });

  afterAll(async () => {
    await dirtyWriter?.end();
    await stack?.stop();
  });

  /** How many uncommitted rows a brand-new session sees (0 unless READ UNCOMMITTED leaked into it). */
  async function freshDirtyRows(connectTo: () => Connection = open): Promise<unknown> {
    return (await connectTo().execute(DIRTY_ROWS)).rows[0];
  }

  describe("request body cap", () => {
    test("accepts a 15 MiB request body", async () => {
      const { origin, username, password } = new URL(url);
      const response = await fetch(new URL("/psdb.v1alpha1.Database/Execute", origin), {
        method: "POST",
        headers: {
          authorization: `Basic ${btoa(`${username}:${password}`)}`,
          "content-type": "application/json",
        },
        body: JSON.stringify({ query: `SELECT LENGTH('${"x".repeat(15 * 1024 * 1024)}') AS n` }),
      });
      expect(response.status).toBe(200);
      expect(await response.json()).toMatchObject({ result: { rows: [{ lengths: ["8"] }] } });
    });

    test("takes a 2 MiB blob, which the driver sends as 4 MiB of hex, and returns it byte for byte", async () => {
      const data = new Uint8Array(2 * 1024 * 1024).map((_, i) => (i * 31) & 0xff);
      await open().execute("INSERT INTO blobs (id, data) VALUES (?, ?)", [1, data]);
      const { rows } = await open().execute("SELECT data FROM blobs WHERE id = 1");
      expect(Buffer.from((rows[0] as { data: Uint8Array }).data).equals(Buffer.from(data))).toBe(true);
    });

    test("answers a body over a configured cap with 413 naming the cap", async () => {
      const small = await startPlanetScaleEmulator({
        mysqlUrl: stack!.db.url,
        username: "u",
        password: "p",
        port: 0,
        maxBodyBytes: 4096,
      });
      try {
        const error = await databaseError(
          connect({ url: small.url }).execute("SELECT ?", ["x".repeat(5000)]),
        );
        expect(error.status).toBe(413);
        expect(error.message).toContain("4096 bytes");
        // Below the cap the same endpoint still answers.
        expect((await connect({ url: small.url }).execute("SELECT 1 AS one")).rows).toEqual([{ one: "1" }]);
      } finally {
        await small.close();
      }
    });
  });

  describe("SET TRANSACTION", () => {
    test("applies to its own session's next transaction only, never to another client's", async () => {
      const own = open();
      await own.execute("SET TRANSACTION ISOLATION LEVEL READ UNCOMMITTED");
      // Without pinning, the pooled connection that ran the SET would be the very next one handed out.
      expect(await freshDirtyRows()).toEqual({ n: "0" });
      await own.execute("BEGIN");
      expect((await own.execute(DIRTY_ROWS)).rows[0]).toEqual({ n: "1" });
      await own.execute("COMMIT");
      // Its next transaction is over, so the session is back to the default.
      expect((await own.execute(DIRTY_ROWS)).rows[0]).toEqual({ n: "0" });
      expect(await freshDirtyRows()).toEqual({ n: "0" });
    });

    test("READ ONLY on one session does not stop another session's writes", async () => {
      const own = open();
      await own.execute("SET TRANSACTION READ ONLY");
      for (let i = 0; i < 5; i++) await open().execute("INSERT INTO notes (body) VALUES ('other')");
      const refused = await databaseError(own.execute("INSERT INTO notes (body) VALUES ('own')"));
      expect(refused.message).toContain("(errno 1792)");
    });

    test("with garbage gets MySQL's syntax error, and leaves nothing behind", async () => {
      const error = await databaseError(open().execute("SET TRANSACTION ISOLATION LEVEL BANANA"));
      expect(error.body).toMatchObject({ code: "INVALID_ARGUMENT" });
      expect(error.message).toContain("(errno 1064) (sqlstate 42000)");
      expect(await freshDirtyRows()).toEqual({ n: "0" });
    });

    test("kysely's setIsolationLevel runs its transaction at that level and leaks it to no other query", async () => {
      const db = new Kysely<Record<string, never>>({ dialect: new PlanetScaleDialect({ url }) });
      const seen = await db
        .transaction()
        .setIsolationLevel("read uncommitted")
        .execute(async (trx) => (await ksql<{ n: string }>`${ksql.raw(DIRTY_ROWS)}`.execute(trx)).rows[0]);
      expect(seen).toEqual({ n: "1" });
      expect(await freshDirtyRows()).toEqual({ n: "0" });
    });
  });

  describe("sql_mode", () => {
    test("is MySQL 8's default on every session", async () => {
      for (let i = 0; i < 3; i++) {
        const { rows } = await open().execute("SELECT @@session.sql_mode AS mode");
        const mode = String((rows[0] as { mode: string }).mode);
        expect(mode.split(",").sort()).toEqual(MYSQL8_SQL_MODE.split(",").sort());
      }
    });

    test("rejects a GROUP BY that selects an ungrouped column, as MySQL 8 does", async () => {
      const error = await databaseError(open().execute("SELECT id, body FROM notes GROUP BY body"));
      expect(error.message).toContain("(errno 1055)");
    });

    test("rejects zero dates and division by zero in writes", async () => {
      const zero = await databaseError(open().execute("INSERT INTO days (id, day) VALUES (1, '0000-00-00')"));
      expect(zero.message).toContain("(errno 1292)");
      const inMonth = await databaseError(
        open().execute("INSERT INTO days (id, day) VALUES (2, '2024-00-10')"),
      );
      expect(inMonth.message).toContain("(errno 1292)");
      const division = await databaseError(open().execute("UPDATE notes SET id = id / 0 WHERE id = 1"));
      expect(division.message).toContain("(errno 1365)");
    });

    test("a session that changes its own sql_mode keeps it to itself", async () => {
      const own = open();
      await own.execute("SET SESSION sql_mode = 'ANSI_QUOTES'");
      const { rows } = await open().execute("SELECT @@session.sql_mode AS mode");
      expect(String((rows[0] as { mode: string }).mode)).toContain("ONLY_FULL_GROUP_BY");
      expect((await own.execute("SELECT @@session.sql_mode AS mode")).rows).toEqual([
        { mode: "ANSI_QUOTES" },
      ]);
    });
  });

  describe("integer expressions", () => {
    test("are typed INT64, so the driver returns strings as it does against PlanetScale", async () => {
      const result = await open().execute(
        "SELECT 1 AS one, COUNT(*) + 1 AS counted, LENGTH(body) AS len, id FROM notes WHERE id = 1 GROUP BY id, body",
      );
      expect(result.types).toMatchObject({ one: "INT64", counted: "INT64", len: "INT64", id: "INT32" });
      expect(result.rows).toEqual([{ one: "1", counted: "2", len: "1", id: 1 }]);
    });

    test("come back the same way through drizzle-orm", async () => {
      const db = drizzle({ connection: { url } });
      const { rows } = await db.execute(sql`SELECT 1 + 1 AS two`);
      expect(rows).toEqual([{ two: "2" }]);
    });
  });

  describe("sessions never leak state", () => {
    type Step =
      | { session: number; kind: "setNext"; sql: string }
      | { session: number; kind: "sticky"; sql: string }
      | { session: number; kind: "txn"; sql: "BEGIN" | "COMMIT" | "ROLLBACK" }
      | { session: number; kind: "work" };
    const sessionIndex = fc.integer({ min: 0, max: 2 });
    const step: fc.Arbitrary<Step> = fc.oneof(
      fc.record({
        session: sessionIndex,
        kind: fc.constant("setNext" as const),
        sql: fc.constantFrom(
          "SET TRANSACTION ISOLATION LEVEL SERIALIZABLE",
          "SET TRANSACTION ISOLATION LEVEL READ UNCOMMITTED",
          "SET TRANSACTION READ ONLY",
          "/* kysely */ SET TRANSACTION ISOLATION LEVEL READ UNCOMMITTED",
          "set transaction isolation level read committed, read only",
        ),
      }),
      fc.record({
        session: sessionIndex,
        kind: fc.constant("sticky" as const),
        sql: fc.constantFrom(
          "SET @leak = 'yes'",
          "SET SESSION sql_mode = 'ANSI'",
          "SET SESSION TRANSACTION ISOLATION LEVEL READ COMMITTED",
          "SET autocommit = 0",
          "CREATE TEMPORARY TABLE leak (x INT)",
        ),
      }),
      fc.record({
        session: sessionIndex,
        kind: fc.constant("txn" as const),
        sql: fc.constantFrom("BEGIN", "COMMIT", "ROLLBACK"),
      }),
      fc.record({ session: sessionIndex, kind: fc.constant("work" as const) }),
    );

    /** What a brand-new session must see, whatever any other session did before. */
    async function expectPristine(open: () => Connection): Promise<void> {
      const probe = open();
      const { rows } = await probe.execute(
        "SELECT @leak AS leak, @@session.sql_mode AS mode, @@session.autocommit AS autocommit, " +
          "@@session.tx_isolation AS isolation, @@session.tx_read_only AS readOnly",
      );
      const seen = rows[0] as Record<string, unknown>;
      expect(seen.leak).toBeNull();
      expect(String(seen.mode).split(",").sort()).toEqual(MYSQL8_SQL_MODE.split(",").sort());
      expect([Number(seen.autocommit), seen.isolation, Number(seen.readOnly)]).toEqual([
        1,
        "REPEATABLE-READ",
        0,
      ]);
      expect(await freshDirtyRows(open)).toEqual({ n: "0" });
      await probe.execute("INSERT INTO notes (body) VALUES ('probe')");
      await probe.execute("SELECT COUNT(*) FROM leak").then(
        () => expect.unreachable("a temporary table leaked into another session"),
        (error: unknown) => expect(String(error)).toContain("(errno 1146)"),
      );
    }

    test("interleaving sessions at random leaves every fresh session pristine", async () => {
      // Sessions left holding state are reaped after a second, so the runs do not exhaust the connection pool.
      const reaping = await startPlanetScaleEmulator({
        mysqlUrl: stack!.db.url,
        username: "u",
        password: "p",
        port: 0,
        idleTimeoutMs: 1000,
      });
      const openReaping = () => connect({ url: reaping.url });
      try {
        await checkInterleavings(openReaping);
      } finally {
        await reaping.close();
      }
    });

    async function checkInterleavings(open: () => Connection): Promise<void> {
      await fc.assert(
        fc.asyncProperty(fc.array(step, { minLength: 1, maxLength: 12 }), async (steps) => {
          const sessions: Connection[] = [open(), open(), open()];
          try {
            for (const { session, ...action } of steps) {
              const conn = sessions[session]!;
              const statement =
                action.kind === "work" ? "INSERT INTO notes (body) VALUES ('work')" : action.sql;
              // SQL errors are part of the game (SET TRANSACTION inside a transaction, writes while READ ONLY).
              await conn.execute(statement).catch(() => undefined);
              await expectPristine(open);
            }
          } finally {
            // Ends what the sessions hold, as a client finishing up would; the reaper would do it otherwise.
            for (const conn of sessions) await conn.execute("ROLLBACK").catch(() => undefined);
          }
        }),
        { numRuns: 25 },
      );
    }
  });
});
