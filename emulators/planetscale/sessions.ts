/**
 * Sessions: the opaque object the driver echoes back, and the sessions that currently pin a MySQL connection
 * (open transaction or session state), each running one statement at a time and reaped when idle.
 */
import { createHmac, randomBytes, timingSafeEqual } from "node:crypto";
import type { Link } from "./backend.ts";
import type { SessionState } from "./execute.ts";
import { isJsonObject } from "./http.ts";
import type { LinkPool } from "./pool.ts";

/**
 * psdb `Session` as protojson writes it, shaped like ps-http-sim's; the driver only stores and echoes it.
 * @example { signature: "q3…=", vitessSession: { autocommit: true, targetString: "app", SessionUUID: "Xq…", … } }
 */
export interface SessionToken {
  signature: string;
  vitessSession: {
    inTransaction?: boolean;
    autocommit?: boolean;
    targetString: string;
    options: { includedFields: "ALL"; clientFoundRows: boolean };
    DDLStrategy: "direct";
    SessionUUID: string;
    enableSystemSettings: boolean;
  };
}

/** What a request's session claims to be; `authentic` when this emulator instance signed it. */
interface SessionClaim {
  id: string;
  authentic: boolean;
  inTransaction: boolean;
}

/**
 * A session holding its own MySQL connection.
 * @example sessions.get(id)?.state.inTransaction // true while its transaction is open
 */
export interface PinnedSession {
  id: string;
  link: Link;
  state: SessionState;
  lastUsed: number;
  /** Statements running or queued on this session; a busy session is never reaped. */
  pending: number;
  tail: Promise<unknown>;
}

/**
 * Issues and checks session tokens. The signature is an HMAC of the id under a per-process secret, so sessions
 * need no server-side record until they pin a connection, and forged or stale ids are recognised.
 * @example
 * const signer = createSessionSigner("app");
 * const token = signer.issue(signer.newId(), FRESH_STATE);
 * signer.read(token)?.authentic // true
 */
export function createSessionSigner(database: string) {
  const secret = randomBytes(32);
  const sign = (id: string) => createHmac("sha256", secret).update(id).digest();
  return {
    newId: () => randomBytes(16).toString("base64url"),
    issue(id: string, state: SessionState): SessionToken {
      return {
        signature: sign(id).toString("base64"),
        vitessSession: {
          ...(state.inTransaction ? { inTransaction: true } : {}),
          ...(state.autocommit ? { autocommit: true } : {}),
          targetString: database,
          options: { includedFields: "ALL", clientFoundRows: true },
          DDLStrategy: "direct",
          SessionUUID: id,
          enableSystemSettings: true,
        },
      };
    },
    read(value: unknown): SessionClaim | undefined {
      if (!isJsonObject(value) || !isJsonObject(value.vitessSession)) return undefined;
      const id = value.vitessSession.SessionUUID;
      if (typeof id !== "string" || typeof value.signature !== "string") return undefined;
      const given = Buffer.from(value.signature, "base64");
      const expected = sign(id);
      const authentic = given.length === expected.length && timingSafeEqual(given, expected);
      return { id, authentic, inTransaction: value.vitessSession.inTransaction === true };
    },
  };
}

/** @example const signer: SessionSigner = createSessionSigner("app"); */
export type SessionSigner = ReturnType<typeof createSessionSigner>;

/** How many ended sessions are remembered, to tell a client why its transaction is gone. */
const ENDED_MEMORY = 1000;

/**
 * The pinned sessions, with a reaper that closes those idle for longer than `idleTimeoutMs` (closing the
 * connection makes MySQL roll back the open transaction).
 * @example
 * const sessions = createSessionRegistry({ pool, idleTimeoutMs: 20_000, log: console.log });
 * const session = sessions.pin(id, link, state, signer.newId);
 * await sessions.exclusive(session, () => runStatement(session.link, "COMMIT", session.state, context));
 */
export function createSessionRegistry(options: {
  pool: LinkPool;
  idleTimeoutMs: number;
  log: (line: string) => void;
}) {
  const { pool, idleTimeoutMs, log } = options;
  const pinned = new Map<string, PinnedSession>();
  const ended = new Map<string, string>();
  const end = (session: PinnedSession, why: string) => {
    pinned.delete(session.id);
    pool.discard(session.link);
    ended.set(session.id, why);
    if (ended.size > ENDED_MEMORY) ended.delete(ended.keys().next().value ?? "");
  };
  const reap = () => {
    const cutoff = Date.now() - idleTimeoutMs;
    for (const session of pinned.values()) {
      if (session.pending > 0 || session.lastUsed > cutoff) continue;
      end(session, `was idle for more than ${idleTimeoutMs} ms`);
      log(
        `planetscale: reaped idle session ${session.id}${session.state.inTransaction ? ", transaction rolled back" : ""}`,
      );
    }
  };
  const reaper = setInterval(reap, Math.min(1000, Math.max(10, idleTimeoutMs / 4)));
  reaper.unref();
  return {
    get: (id: string) => pinned.get(id),
    isPinned: (session: PinnedSession) => pinned.get(session.id) === session,
    /** Pins `link` under `id`, or under a new id if a concurrent request already pinned that one. */
    pin(id: string, link: Link, state: SessionState, newId: () => string): PinnedSession {
      const free = pinned.has(id) ? newId() : id;
      const session: PinnedSession = {
        id: free,
        link,
        state,
        lastUsed: Date.now(),
        pending: 0,
        tail: Promise.resolve(),
      };
      pinned.set(free, session);
      return session;
    },
    /**
     * The session holds nothing any more: its connection goes back to the pool, unless it ever carried
     * next-transaction characteristics, which no status flag confirms are gone: that one is closed instead.
     */
    unpin(session: PinnedSession) {
      pinned.delete(session.id);
      if (session.state.tainted) pool.discard(session.link);
      else pool.release(session.link);
    },
    end,
    /** Why a pinned session ended (reaped, connection lost), if it did recently. */
    whyEnded: (id: string) => ended.get(id),
    /** Runs `task` after every earlier statement of the session: one statement at a time per connection. */
    async exclusive<T>(session: PinnedSession, task: () => Promise<T>): Promise<T> {
      session.pending++;
      const turn = session.tail.then(task);
      session.tail = turn.catch(() => {});
      try {
        return await turn;
      } finally {
        session.pending--;
        session.lastUsed = Date.now();
      }
    },
    close() {
      clearInterval(reaper);
      for (const session of pinned.values()) end(session, "ended because the emulator shut down");
    },
  };
}

/** @example const sessions: SessionRegistry = createSessionRegistry({ pool, idleTimeoutMs: 20_000, log }); */
export type SessionRegistry = ReturnType<typeof createSessionRegistry>;
