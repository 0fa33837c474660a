/**
 * MySQL column metadata → Vitess `query.Type` names, following Vitess' `mysqlToType` + `modifyType`
 * (go/sqltypes/type.go), plus MariaDB's extended metadata for JSON.
 */

/** The column metadata the mapping needs, as mysql2's FieldPacket carries it. */
interface ColumnMeta {
  columnType: number;
  flags: number;
  /** MariaDB extended metadata (MARIADB_CLIENT_EXTENDED_METADATA): "json" for JSON columns and JSON functions. */
  extendedFormat?: string;
}

/**
 * MySQL column flags (include/mysql_com.h).
 * @example (field.flags & ColumnFlag.UNSIGNED) !== 0
 */
export const ColumnFlag = { BINARY: 128, UNSIGNED: 32, ENUM: 256, SET: 2048, NUM: 32768 } as const;

const SIGNED_INTEGERS: Record<number, [signed: string, unsigned: string]> = {
  1: ["INT8", "UINT8"],
  2: ["INT16", "UINT16"],
  3: ["INT32", "UINT32"],
  8: ["INT64", "UINT64"],
  9: ["INT24", "UINT24"],
};

const FIXED_TYPES: Record<number, string> = {
  0: "DECIMAL",
  246: "DECIMAL",
  4: "FLOAT32",
  5: "FLOAT64",
  6: "NULL_TYPE",
  7: "TIMESTAMP",
  17: "TIMESTAMP",
  10: "DATE",
  // NEWDATE is internal to the server and never sent; mapped with DATE for completeness.
  14: "DATE",
  11: "TIME",
  19: "TIME",
  12: "DATETIME",
  18: "DATETIME",
  13: "YEAR",
  16: "BIT",
  242: "VECTOR",
  245: "JSON",
  247: "ENUM",
  248: "SET",
  255: "GEOMETRY",
};

/** [text type, type when the BINARY flag is set] */
const STRING_TYPES: Record<number, [text: string, binary: string]> = {
  15: ["VARCHAR", "VARBINARY"],
  253: ["VARCHAR", "VARBINARY"],
  249: ["TEXT", "BLOB"],
  250: ["TEXT", "BLOB"],
  251: ["TEXT", "BLOB"],
  252: ["TEXT", "BLOB"],
};

/**
 * The Vitess type name PlanetScale would send for a column (`NULL_TYPE` for the NULL literal).
 * @example vitessType({ columnType: 1, flags: 32 }) // "UINT8"
 */
export function vitessType(column: ColumnMeta): string {
  // MariaDB stores JSON as LONGTEXT; only the extended metadata tells JSON apart from text.
  if (column.extendedFormat === "json") return "JSON";
  const hasFlag = (flag: number) => (column.flags & flag) !== 0;
  const integer = SIGNED_INTEGERS[column.columnType];
  if (integer) return hasFlag(ColumnFlag.UNSIGNED) ? integer[1] : integer[0];
  const fixed = FIXED_TYPES[column.columnType];
  if (fixed) return fixed;
  const text = STRING_TYPES[column.columnType];
  if (text) return hasFlag(ColumnFlag.BINARY) ? text[1] : text[0];
  // 254 STRING (CHAR, BINARY, and ENUM/SET as the text protocol describes them) and anything unknown.
  if (hasFlag(ColumnFlag.BINARY)) return "BINARY";
  if (hasFlag(ColumnFlag.ENUM)) return "ENUM";
  if (hasFlag(ColumnFlag.SET)) return "SET";
  return "CHAR";
}

/**
 * Whether MySQL counts the column type as numeric (its `IS_NUM`), which is when MySQL/PlanetScale add NUM_FLAG
 * (32768) to the column flags; MariaDB never sends that flag.
 * @example isNumericType(8) // true (LONGLONG)
 */
export function isNumericType(columnType: number): boolean {
  return (columnType <= 9 && columnType !== 7) || columnType === 13 || columnType === 246;
}
