/**
 * Every column type the driver casts, read through the emulator with the real `@planetscale/database` driver and
 * compared with what mysql2 reads directly from the same rows; plus the decoding bugs of earlier emulators
 * (reference/planetscale-http.md §8).
 */
import { type Connection, connect } from "@planetscale/database";
import type { Connection as MysqlConnection, RowDataPacket } from "mysql2/promise";
import mysql from "mysql2/promise";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import type { MysqlBackend } from "../../emulators/backends/mariadb.ts";
import type { PlanetScaleEmulator } from "../../emulators/planetscale/server.ts";
import { mysqlRunnable, type PlanetScaleStack, startPlanetScale } from "./planetscale-harness.ts";

const runnable = mysqlRunnable("planetscale-types");

const CREATE_TABLE = `CREATE TABLE every_type (
  id INT AUTO_INCREMENT PRIMARY KEY,
  ti TINYINT, tiu TINYINT UNSIGNED, si SMALLINT, siu SMALLINT UNSIGNED, mi MEDIUMINT, miu MEDIUMINT UNSIGNED,
  i INT, iu INT UNSIGNED, bi BIGINT, biu BIGINT UNSIGNED,
  de DECIMAL(30,9), fl FLOAT, db DOUBLE,
  da DATE, dt DATETIME(6), ts TIMESTAMP(3) NULL, tm TIME(2), yr YEAR,
  ch CHAR(8), vc VARCHAR(64), tx TEXT,
  bn BINARY(4), vb VARBINARY(16), bl BLOB,
  bt BIT(10), en ENUM('small','large'), st SET('red','green','blue'),
  js JSON, jt LONGTEXT
) CHARACTER SET utf8mb4`;

const COLUMNS = "ti,tiu,si,siu,mi,miu,i,iu,bi,biu,de,fl,db,da,dt,ts,tm,yr,ch,vc,tx,bn,vb,bl,bt,en,st,js,jt";
const EVERY_BYTE = Uint8Array.from({ length: 256 }, (_, index) => index);
const JSON_TEXT = '{"n": 1.5, "s": "😀 \\"q\\"", "a": [true, null], "o": {}}';

/** Vitess type per column, as real PlanetScale names them. */
const EXPECTED_TYPES = {
  id: "INT32",
  ti: "INT8",
  tiu: "UINT8",
  si: "INT16",
  siu: "UINT16",
  mi: "INT24",
  miu: "UINT24",
  i: "INT32",
  iu: "UINT32",
  bi: "INT64",
  biu: "UINT64",
  de: "DECIMAL",
  fl: "FLOAT32",
  db: "FLOAT64",
  da: "DATE",
  dt: "DATETIME",
  ts: "TIMESTAMP",
  tm: "TIME",
  yr: "YEAR",
  ch: "CHAR",
  vc: "VARCHAR",
  tx: "TEXT",
  bn: "BINARY",
  vb: "VARBINARY",
  bl: "BLOB",
  bt: "BIT",
  en: "ENUM",
  st: "SET",
  js: "JSON",
  jt: "TEXT",
};

/** Buffer (mysql2) and Uint8Array (driver) differ only in class; compare the bytes. */
function normalise(row: Record<string, unknown>): Record<string, unknown> {
  return Object.fromEntries(
    Object.entries(row).map(([key, value]) => [
      key,
      value instanceof Uint8Array ? Uint8Array.from(value) : value,
    ]),
  );
}

describe.runIf(runnable)("PlanetScale emulator with the real driver", () => {
  let stack: PlanetScaleStack | undefined;
  let db: MysqlBackend;
  let emulator: PlanetScaleEmulator;
  let conn: Connection;
  let direct: MysqlConnection;

  beforeAll(async () => {
    stack = await startPlanetScale({ tempPrefix: "ps-types-", username: "app", password: "s3cret" });
    ({ db, emulator } = stack);
    conn = connect({ url: emulator.url });
    // The independent reader: mysql2's own casts, configured to the driver's conventions (strings for dates,
    // DECIMAL and 64-bit integers).
    direct = await mysql.createConnection({
      uri: db.url,
      dateStrings: true,
      supportBigNumbers: true,
      bigNumberStrings: true,
    });
    await direct.query("SET time_zone = '+00:00'");
    await conn.execute(CREATE_TABLE);
    // Values go through the driver's own escaping (strings, bytes) on their way in.
    await conn.execute(
      `INSERT INTO every_type (${COLUMNS}) VALUES (-128, 255, -32768, 65535, -8388608, 16777215, -2147483648,
        4294967295, -9223372036854775808, 18446744073709551615, '-12345678901234567890.123456789', 1.1,
        2.5e-300, '2024-02-29', '1999-12-31 23:59:59.999999', '2038-01-19 03:14:07.999', '-838:59:59.00',
        2155, 'ab', ?, ?, ?, ?, ?, b'1010101010', 'large', 'red,blue', ?, ?)`,
      [
        "naïve 😀 ✓",
        "line1\nline2\t'single' \"double\" \\ back\0nul",
        new Uint8Array([0, 255, 0, 0]),
        new Uint8Array([0, 1, 2, 255, 254, 0]),
        EVERY_BYTE,
        JSON_TEXT,
        JSON_TEXT,
      ],
    );
    await conn.execute("INSERT INTO every_type (id) VALUES (NULL)");
    await conn.execute(
      `INSERT INTO every_type (${COLUMNS}) VALUES (0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, '1970-01-01',
        '1970-01-01 00:00:00', '1970-01-01 00:00:01', '00:00:00', 1901, '', '', '', x'', x'', x'', b'0', 'small', '',
        '[]', '')`,
    );
  });

  afterAll(async () => {
    await direct?.end();
    await stack?.stop();
  });

  describe("column types, as the driver casts them", () => {
    test("reads every type exactly as mysql2 reads it directly, NULLs included", async () => {
      const viaEmulator = await conn.execute("SELECT * FROM every_type ORDER BY id");
      const [viaMysql2] = await direct.query<RowDataPacket[]>("SELECT * FROM every_type ORDER BY id");
      expect(viaEmulator.rows).toHaveLength(3);
      expect(viaEmulator.rows.map(normalise)).toEqual(viaMysql2.map(normalise));
    });

    test("names each column's type like PlanetScale and marks only binary columns with charset 63", async () => {
      const result = await conn.execute("SELECT * FROM every_type LIMIT 1");
      expect(result.types).toEqual(EXPECTED_TYPES);
      const binary = result.fields.filter((field) => field.charset === 63).map((field) => field.name);
      // JSON is charset 63 too on MySQL/PlanetScale; the driver casts it by type before it looks at the charset.
      const numbersAndDates = [
        "id",
        "ti",
        "tiu",
        "si",
        "siu",
        "mi",
        "miu",
        "i",
        "iu",
        "bi",
        "biu",
        "de",
        "fl",
        "db",
      ];
      const temporal = ["da", "dt", "ts", "tm", "yr"];
      expect(binary).toEqual([...numbersAndDates, ...temporal, "bn", "vb", "bl", "bt", "js"]);
    });

    test("casts the extreme values to the JavaScript types the driver promises", async () => {
      const { rows } = await conn.execute("SELECT * FROM every_type ORDER BY id LIMIT 1");
      expect(rows[0]).toMatchObject({
        ti: -128,
        tiu: 255,
        iu: 4294967295,
        bi: "-9223372036854775808",
        biu: "18446744073709551615",
        de: "-12345678901234567890.123456789",
        fl: 1.1,
        db: 2.5e-300,
        da: "2024-02-29",
        dt: "1999-12-31 23:59:59.999999",
        ts: "2038-01-19 03:14:07.999",
        tm: "-838:59:59.00",
        yr: 2155,
        ch: "ab",
        vc: "naïve 😀 ✓",
        tx: "line1\nline2\t'single' \"double\" \\ back\0nul",
        bn: new Uint8Array([0, 255, 0, 0]),
        vb: new Uint8Array([0, 1, 2, 255, 254, 0]),
        bl: EVERY_BYTE,
        bt: new Uint8Array([0b10, 0b10101010]),
        en: "large",
        st: "red,blue",
        js: JSON.parse(JSON_TEXT),
        // A LONGTEXT holding JSON text stays a string: only real JSON columns are parsed.
        jt: JSON_TEXT,
      });
    });

    test("describes fields like PlanetScale's protojson: zero values omitted, NUM flag on numbers", async () => {
      const { fields } = await conn.execute("SELECT id, vc, NULL AS n FROM every_type LIMIT 1");
      const table = { table: "every_type", orgTable: "every_type", database: "app" };
      expect(fields).toEqual([
        // NOT_NULL | PRI_KEY | AUTO_INCREMENT | PART_KEY | NUM, the same 49667 as PlanetScale's golden capture.
        { name: "id", type: "INT32", ...table, orgName: "id", columnLength: 11, charset: 63, flags: 49667 },
        { name: "vc", type: "VARCHAR", ...table, orgName: "vc", columnLength: 256, charset: 45 },
        // The driver fills in type "NULL" for the omitted NULL_TYPE; the rest matches the golden capture.
        { name: "n", type: "NULL", charset: 63, flags: 32896 },
      ]);
    });

    test("keeps empty strings and empty bytes apart from NULL", async () => {
      const { rows } = await conn.execute("SELECT ch, vc, tx, vb, bl, js FROM every_type ORDER BY id");
      expect(rows[1]).toEqual({ ch: null, vc: null, tx: null, vb: null, bl: null, js: null });
      expect(rows[2]).toEqual({ ch: "", vc: "", tx: "", vb: new Uint8Array(), bl: new Uint8Array(), js: [] });
    });

    test("answers JSON for JSON columns and JSON functions, as MariaDB's extended metadata says", async () => {
      const result = await conn.execute(
        "SELECT js, JSON_OBJECT('k', 1) AS obj, JSON_EXTRACT(js, '$.a') AS arr, jt FROM every_type ORDER BY id LIMIT 1",
      );
      expect(result.types).toEqual({ js: "JSON", obj: "JSON", arr: "JSON", jt: "TEXT" });
      expect(result.rows[0]).toEqual({
        js: JSON.parse(JSON_TEXT),
        obj: { k: 1 },
        arr: [true, null],
        jt: JSON_TEXT,
      });
    });
  });

  describe("bugs of earlier local emulators (spec §8) stay fixed", () => {
    /** The raw ExecuteResponse, to look at the wire encoding itself. */
    async function rawExecute(query: string) {
      const url = new URL(emulator.url);
      const response = await fetch(new URL("/psdb.v1alpha1.Database/Execute", `http://${url.host}`), {
        method: "POST",
        headers: {
          authorization: `Basic ${btoa(`${url.username}:${url.password}`)}`,
          "content-type": "application/json",
        },
        body: JSON.stringify({ query, session: null }),
      });
      return (await response.json()) as { result: { rows: { lengths: string[]; values?: string }[] } };
    }

    test("counts UTF-8 bytes, not JS string units, so values after an emoji stay aligned", async () => {
      const { rows } = await conn.execute("SELECT '😀' AS emoji, 'é' AS accent, 'z' AS plain");
      expect(rows[0]).toEqual({ emoji: "😀", accent: "é", plain: "z" });
      const raw = await rawExecute("SELECT '😀' AS emoji, 'é' AS accent, 'z' AS plain");
      expect(raw.result.rows[0]?.lengths).toEqual(["4", "2", "1"]);
    });

    test("sends NULL as length -1, distinct from the text 'null' and the empty string", async () => {
      const { rows } = await conn.execute("SELECT NULL AS none, 'null' AS text, '' AS empty");
      expect(rows[0]).toEqual({ none: null, text: "null", empty: "" });
      const raw = await rawExecute("SELECT NULL AS none, 'null' AS text, '' AS empty");
      expect(raw.result.rows[0]).toEqual({ lengths: ["-1", "4", "0"], values: btoa("null") });
    });

    test("returns dates and times as the server's own text in UTC, never re-rendered", async () => {
      const { rows } = await conn.execute(
        "SELECT CAST('2024-02-29 23:59:59.123456' AS DATETIME(6)) AS dt, CAST('838:59:59' AS TIME) AS tm, " +
          "@@session.time_zone AS tz, FROM_UNIXTIME(0) AS epoch, 1.10 AS float_like",
      );
      expect(rows[0]).toEqual({
        dt: "2024-02-29 23:59:59.123456",
        tm: "838:59:59",
        tz: "+00:00",
        epoch: "1970-01-01 00:00:00",
        float_like: "1.10",
      });
    });

    test("accepts NEWDECIMAL results and keeps their digits as strings", async () => {
      const { rows, types } = await conn.execute(
        "SELECT 1.5 AS literal, CAST('-12345678901234567890.123456789' AS DECIMAL(30,9)) AS wide, SUM(0.1) AS total FROM (SELECT 1 UNION ALL SELECT 2 UNION ALL SELECT 3) AS three",
      );
      expect(types).toEqual({ literal: "DECIMAL", wide: "DECIMAL", total: "DECIMAL" });
      expect(rows[0]).toEqual({ literal: "1.5", wide: "-12345678901234567890.123456789", total: "0.3" });
    });

    test("runs the SQL as sent: question marks and :names in literals are not placeholders", async () => {
      const { rows } = await conn.execute("SELECT '?' AS q, '??' AS qq, ':name' AS named");
      expect(rows[0]).toEqual({ q: "?", qq: "??", named: ":name" });
    });
  });
});
