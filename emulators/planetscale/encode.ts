/**
 * psdb `Field` and Vitess `Row` as protojson writes them (zero values omitted), the shapes `@planetscale/database`
 * decodes: a row is base64 of the cells' raw bytes back to back, with each cell's BYTE length ("-1" for NULL).
 */
import type { FieldPacket } from "mysql2/promise";
import { ColumnFlag, isNumericType, vitessType } from "./types.ts";

/**
 * psdb.v1alpha1 / Vitess `query.Field`.
 * @example { name: "make", type: "VARCHAR", table: "cars", orgTable: "cars", database: "app", orgName: "make", columnLength: 256, charset: 45 }
 */
export interface Field {
  name?: string;
  type?: string;
  table?: string;
  orgTable?: string;
  database?: string;
  orgName?: string;
  columnLength?: number;
  charset?: number;
  decimals?: number;
  flags?: number;
}

/**
 * Vitess `query.Row`: sint64 lengths as decimal strings, bytes as standard base64.
 * @example { lengths: ["1", "-1", "4"], values: "MfCfmIA=" } // "1", NULL, "😀"
 */
export interface Row {
  lengths: string[];
  values?: string;
}

/** One row as mysql2 hands it over with `typeCast: false`: the server's exact bytes, or null. */
type RawRow = (Buffer | null)[];

const BINARY_COLLATION = 63;
/** "Decimals not fixed" is 39 in MariaDB and 31 in MySQL, which is what PlanetScale sends. */
const MARIADB_NOT_FIXED_DEC = 39;
const MYSQL_NOT_FIXED_DEC = 31;

/**
 * Describes a column like PlanetScale: Vitess type name, MySQL flags (with NUM_FLAG like MySQL), collation id.
 * @example encodeField(fields[0]) // { name: "id", type: "INT64", table: "t", ..., charset: 63, flags: 49667 }
 */
export function encodeField(packet: FieldPacket): Field {
  const columnType = widenIntegerExpression(packet.columnType ?? 0, packet.orgTable);
  const serverFlags = typeof packet.flags === "number" ? packet.flags : 0;
  const type = vitessType({ columnType, flags: serverFlags, extendedFormat: packet.extendedFormat });
  return withoutZeroValues({
    name: packet.name,
    // protojson omits the zero enum value NULL_TYPE; the driver fills in "NULL" itself.
    type: type === "NULL_TYPE" ? "" : type,
    table: packet.table,
    orgTable: packet.orgTable,
    database: packet.schema,
    orgName: packet.orgName,
    columnLength: packet.columnLength,
    // MySQL sends JSON with the binary collation; MariaDB's JSON is utf8mb4 LONGTEXT underneath.
    charset: type === "JSON" ? BINARY_COLLATION : packet.characterSet,
    decimals: packet.decimals === MARIADB_NOT_FIXED_DEC ? MYSQL_NOT_FIXED_DEC : packet.decimals,
    flags: isNumericType(columnType) ? serverFlags | ColumnFlag.NUM : serverFlags,
  });
}

/** TINY, SHORT, LONG and INT24: the integer types narrower than LONGLONG. */
const NARROW_INTEGERS = new Set([1, 2, 3, 9]);
const LONGLONG = 8;

/**
 * MySQL 8 types integer expressions (`SELECT 1`, `COUNT(*) + 1`, `LENGTH(x)`) as BIGINT, so PlanetScale says
 * INT64 and the driver returns a string; MariaDB says INT. A column with no original table is an expression.
 */
function widenIntegerExpression(columnType: number, orgTable: string | undefined): number {
  return !orgTable && NARROW_INTEGERS.has(columnType) ? LONGLONG : columnType;
}

/**
 * Encodes one row; lengths count bytes, never JS string units, so "😀" is "4", and NULL is "-1", not "null".
 * @example encodeRow([Buffer.from("1"), null, Buffer.from("😀")]) // { lengths: ["1", "-1", "4"], values: "MfCfmIA=" }
 */
export function encodeRow(cells: RawRow): Row {
  const lengths = cells.map((cell) => (cell === null ? "-1" : String(cell.length)));
  const bytes = Buffer.concat(cells.filter((cell): cell is Buffer => cell !== null));
  return bytes.length > 0 ? { lengths, values: bytes.toString("base64") } : { lengths };
}

/**
 * Checks that mysql2 really returned raw cells (it does with `typeCast: false` and `rowsAsArray: true`).
 * @example toRawRows([[Buffer.from("1"), null]]) // [[<Buffer 31>, null]]
 */
export function toRawRows(rows: unknown[]): RawRow[] {
  return rows.map((row) => {
    if (!Array.isArray(row)) throw new TypeError("expected mysql2 to return rows as arrays");
    return row.map((cell: unknown) => {
      if (cell === null || Buffer.isBuffer(cell)) return cell;
      throw new TypeError(`expected a raw Buffer cell from mysql2, got ${typeof cell}`);
    });
  });
}

function withoutZeroValues<T extends object>(value: T): Partial<T> {
  const entries = Object.entries(value).filter(([, v]) => v !== undefined && v !== "" && v !== 0);
  return Object.fromEntries(entries) as Partial<T>;
}
