/**
 * Runs one finished SQL statement on a connection over the text protocol and turns the answer into a psdb
 * `QueryResult` or `RPCError`, tracking whether the connection now holds a transaction or other session state.
 */
import type { FieldPacket, ResultSetHeader, RowDataPacket } from "mysql2/promise";
import type { Link } from "./backend.ts";
import { encodeField, encodeRow, type Field, type Row, toRawRows } from "./encode.ts";
import { BackendUnavailableError, isServerError, type RpcError, toRpcError } from "./errors.ts";

/**
 * psdb `QueryResult` as protojson writes it (uint64 as strings, zero values omitted).
 * @example { rowsAffected: "1", insertId: "42" } // an INSERT; a SELECT has fields and rows
 */
export interface QueryResultJson {
  rowsAffected?: string;
  insertId?: string;
  fields?: Field[];
  rows?: Row[];
}

/**
 * What a connection carries between statements; anything but the fresh state keeps it pinned to its session.
 * @example { inTransaction: true, autocommit: true, sticky: false, nextTransaction: false, tainted: false } // after BEGIN
 */
export interface SessionState {
  inTransaction: boolean;
  autocommit: boolean;
  /** User variables, temporary tables, changed session variables or schema: kept until the session ends. */
  sticky: boolean;
  /**
   * `SET TRANSACTION …` (no SESSION or GLOBAL) set characteristics for the session's next transaction. MariaDB
   * flags no state change for it, so without this the next user of the pooled connection would inherit them.
   */
  nextTransaction: boolean;
  /** The connection once held next-transaction characteristics: closed, never pooled, when the session lets go. */
  tainted: boolean;
}

/** @example { result: { rowsAffected: "1" }, state: FRESH_STATE, timing: 0.0004 } */
export type StatementOutcome = { state: SessionState; timing: number } & (
  | { result: QueryResultJson; error?: undefined }
  | { error: RpcError; result?: undefined }
);

/** Who asked, for Vitess-style error messages. */
interface StatementContext {
  database: string;
  username: string;
}

/** @example runStatement(link, "SELECT 1", FRESH_STATE, context) // a connection straight from the pool */
export const FRESH_STATE: SessionState = {
  inTransaction: false,
  autocommit: true,
  sticky: false,
  nextTransaction: false,
  tainted: false,
};

/**
 * Whether a session must keep its connection: an open transaction, session state, or characteristics waiting for
 * its next transaction.
 * @example if (!holdsConnection(outcome.state)) pool.release(link);
 */
export function holdsConnection(state: SessionState): boolean {
  return state.inTransaction || state.sticky || state.nextTransaction;
}

/** `SET TRANSACTION` for the next transaction only, after any leading comments; SET SESSION/GLOBAL … do not match. */
const SET_NEXT_TRANSACTION = /^(?:\s+|\/\*[\s\S]*?\*\/|(?:--\s|#)[^\n]*\n)*set\s+transaction\b/i;

/** Server status flags in OK packets (include/mysql_com.h). */
const STATUS_IN_TRANS = 0x0001;
const STATUS_AUTOCOMMIT = 0x0002;
const STATUS_SESSION_STATE_CHANGED = 0x4000;

/**
 * Runs `sql` as is: text protocol (exact server strings, never re-rendered by a binary decoder), raw bytes per cell,
 * no placeholder substitution (the driver already interpolated and escaped the values).
 * @throws BackendUnavailableError when the connection breaks; whether the statement ran is then unknown.
 * @example
 * const outcome = await runStatement(link, "SELECT 1", FRESH_STATE, { database: "app", username: "root" });
 * outcome.result?.rows // [{ lengths: ["1"], values: "MQ==" }]
 */
export async function runStatement(
  link: Link,
  sql: string,
  before: SessionState,
  context: StatementContext,
): Promise<StatementOutcome> {
  const started = performance.now();
  const seconds = () => (performance.now() - started) / 1000;
  try {
    const [answer, fields] = await link.connection.query<ResultSetHeader | RowDataPacket[]>({
      sql,
      rowsAsArray: true,
      typeCast: false,
    });
    const timing = seconds();
    // A result set cannot begin or end a transaction while autocommit is on; with it off we are pinned anyway.
    if (Array.isArray(answer)) return { result: encodeResultSet(fields, answer), state: before, timing };
    return { result: encodeOk(answer), state: stateAfter(answer, before, sql), timing };
  } catch (error) {
    if (isServerError(error)) {
      return { error: toRpcError(error, { ...context, sql }), state: before, timing: seconds() };
    }
    link.dead = true;
    const reason = error instanceof Error ? error.message : String(error);
    throw new BackendUnavailableError(
      `the MySQL connection broke during the query, its outcome is unknown: ${reason}`,
    );
  }
}

function encodeResultSet(fields: FieldPacket[], rows: unknown[]): QueryResultJson {
  const encodedRows = toRawRows(rows).map(encodeRow);
  // Like the real PlanetScale capture: no rowsAffected for a SELECT, and no empty `rows`.
  return encodedRows.length > 0
    ? { fields: fields.map(encodeField), rows: encodedRows }
    : { fields: fields.map(encodeField) };
}

function encodeOk(header: ResultSetHeader): QueryResultJson {
  const result: QueryResultJson = {};
  if (header.affectedRows > 0) result.rowsAffected = String(header.affectedRows);
  const insertId = String(header.insertId);
  if (insertId !== "0") result.insertId = insertId;
  return result;
}

/**
 * The state after a statement that answered OK. Next-transaction characteristics last until a statement ends
 * outside a transaction (COMMIT, ROLLBACK, or a statement run in autocommit); result sets never clear them, which
 * errs on the side of keeping the connection pinned.
 */
function stateAfter(header: ResultSetHeader, before: SessionState, sql: string): SessionState {
  const status = header.serverStatus;
  const autocommit = (status & STATUS_AUTOCOMMIT) !== 0;
  const inTransaction = (status & STATUS_IN_TRANS) !== 0;
  const setsNext = SET_NEXT_TRANSACTION.test(sql);
  return {
    inTransaction,
    autocommit,
    sticky: before.sticky || !autocommit || (status & STATUS_SESSION_STATE_CHANGED) !== 0,
    nextTransaction: setsNext || (before.nextTransaction && inTransaction),
    tainted: before.tainted || setsNext,
  };
}
