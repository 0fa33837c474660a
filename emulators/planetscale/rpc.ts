/**
 * The two RPCs the driver calls, Execute and CreateSession: which connection a statement runs on, when a session
 * pins one, and what a client hears when its transaction is gone.
 */

import type { RpcError } from "./errors.ts";
import {
  FRESH_STATE,
  holdsConnection,
  type QueryResultJson,
  runStatement,
  type StatementOutcome,
} from "./execute.ts";
import type { LinkPool } from "./pool.ts";
import type { PinnedSession, SessionRegistry, SessionSigner, SessionToken } from "./sessions.ts";

/** psdb `ExecuteResponse` (HTTP 200, also for SQL errors); `timing` in seconds. */
interface ExecuteResponse {
  session: SessionToken;
  result?: QueryResultJson;
  error?: RpcError;
  timing: number;
}

/** psdb `CreateSessionResponse`. */
interface CreateSessionResponse {
  branch: string;
  user: { username: string; psid: string; role: string };
  session: SessionToken;
}

/** A plain ROLLBACK (not ROLLBACK TO SAVEPOINT), which succeeds on a session whose transaction is already gone. */
const PLAIN_ROLLBACK = /^\s*rollback(\s+work)?\s*;?\s*$/i;
const CONNECTION_LOST = "lost its MySQL connection";

/**
 * Binds the RPC handlers to a pool, the session registry and the signer.
 * @example
 * const rpc = createRpc({ pool, sessions, signer, database: "app", username: "root" });
 * const response = await rpc.execute("SELECT 1", null); // response.session goes back to the client
 */
export function createRpc(deps: {
  pool: LinkPool;
  sessions: SessionRegistry;
  signer: SessionSigner;
  database: string;
  username: string;
}) {
  const { pool, sessions, signer } = deps;
  const context = { database: deps.database, username: deps.username };
  const reply = (id: string, outcome: StatementOutcome): ExecuteResponse => ({
    session: signer.issue(id, outcome.state),
    ...(outcome.error ? { error: outcome.error } : { result: outcome.result }),
    timing: outcome.timing,
  });

  /** No pinned connection: borrow one, and keep it only if the statement left a transaction or state on it. */
  async function onPooledLink(id: string, sql: string): Promise<ExecuteResponse> {
    const link = await pool.acquire();
    let outcome: StatementOutcome;
    try {
      outcome = await runStatement(link, sql, FRESH_STATE, context);
    } catch (error) {
      pool.discard(link);
      throw error;
    }
    if (!holdsConnection(outcome.state)) {
      pool.release(link);
      return reply(id, outcome);
    }
    return reply(sessions.pin(id, link, outcome.state, signer.newId).id, outcome);
  }

  async function onPinnedLink(session: PinnedSession, sql: string): Promise<ExecuteResponse> {
    // An earlier statement in the queue may have lost the connection, or the server dropped it while idle.
    if (!sessions.isPinned(session) || session.link.dead) {
      if (sessions.isPinned(session)) sessions.end(session, CONNECTION_LOST);
      return session.state.inTransaction ? transactionGone(session.id, sql) : onPooledLink(session.id, sql);
    }
    let outcome: StatementOutcome;
    try {
      outcome = await runStatement(session.link, sql, session.state, context);
    } catch (error) {
      sessions.end(session, CONNECTION_LOST);
      throw error;
    }
    session.state = outcome.state;
    if (!holdsConnection(outcome.state)) sessions.unpin(session);
    return reply(session.id, outcome);
  }

  /**
   * The client believes it is inside a transaction that no longer exists (reaped, connection lost, emulator
   * restarted). Running its statement on a fresh connection would silently commit half a transaction, so it gets
   * ABORTED like Vitess answers for an expired transaction; a ROLLBACK succeeds.
   */
  function transactionGone(id: string, sql: string): ExecuteResponse {
    if (PLAIN_ROLLBACK.test(sql)) return nothingToRollBack(signer.newId());
    const session = signer.issue(signer.newId(), FRESH_STATE);
    const why = sessions.whyEnded(id) ?? "is unknown to this emulator (was it restarted?)";
    const message = `transaction ended: session ${id} ${why}, so its transaction was rolled back; start a new one`;
    return { session, error: { code: "ABORTED", message }, timing: 0 };
  }

  /**
   * A session without a pinned connection has no transaction, so ROLLBACK is a no-op MySQL would acknowledge. It is
   * acknowledged here, without MySQL: the driver's transaction() sends ROLLBACK after any failure, and a 503 from
   * an unreachable MySQL would replace the error that made the transaction fail.
   */
  const nothingToRollBack = (id: string): ExecuteResponse => ({
    session: signer.issue(id, FRESH_STATE),
    result: {},
    timing: 0,
  });

  return {
    /**
     * @throws BackendUnavailableError when MySQL is unreachable or the connection broke mid-statement (HTTP 503).
     */
    async execute(sql: string, sessionValue: unknown): Promise<ExecuteResponse> {
      const claim = signer.read(sessionValue);
      const pinned = claim?.authentic ? sessions.get(claim.id) : undefined;
      if (pinned) return sessions.exclusive(pinned, () => onPinnedLink(pinned, sql));
      if (PLAIN_ROLLBACK.test(sql)) return nothingToRollBack(claim?.authentic ? claim.id : signer.newId());
      if (claim?.inTransaction) return transactionGone(claim.id, sql);
      return onPooledLink(claim?.authentic ? claim.id : signer.newId(), sql);
    },
    createSession(): CreateSessionResponse {
      return {
        branch: deps.database,
        user: { username: deps.username, psid: "planetscale-emulator", role: "admin" },
        session: signer.issue(signer.newId(), FRESH_STATE),
      };
    },
  };
}

/** @example const rpc: Rpc = createRpc({ pool, sessions, signer, database: "app", username: "root" }); */
export type Rpc = ReturnType<typeof createRpc>;
