/**
 * The MySQL connections behind the endpoint: mysql2's own pool (idle ones reused so that queries outside a
 * transaction do not pay for a handshake each, and past the cap requests queue instead of exhausting
 * max_connections), with the emulator's rules on top: every connection set up like PlanetScale's, a deadline
 * for getting one, and connections that broke or carried state closed rather than reused.
 */
import mysql, { type PoolConnection } from "mysql2/promise";
import { connectionOptions, type Link, type MysqlTarget, SESSION_SETUP, unreachable } from "./backend.ts";
import { BackendUnavailableError } from "./errors.ts";

/**
 * Connections for statements; a pinned session keeps its link until it lets go.
 * @example const link = await pool.acquire(); try { … } finally { pool.release(link); }
 */
export interface LinkPool {
  target: MysqlTarget;
  /** @throws BackendUnavailableError when MySQL cannot be reached, or every connection stayed busy for 10 s. */
  acquire(): Promise<Link>;
  /** Back to the pool for the next statement; closed instead when the link is dead. */
  release(link: Link): void;
  /** Closes the connection; MySQL rolls back whatever transaction it had open. */
  discard(link: Link): void;
  close(): void;
}

/** Below MariaDB's default max_connections (151), leaving room for other clients of the same server. */
const MAX_OPEN_LINKS = 100;
/**
 * Idle connections are kept up to the cap and closed after this long unused: closing them as soon as a request
 * ends made MariaDB open a new connection every few queries under load (the bench measured 2,000 in 3 s).
 */
const IDLE_LINK_MS = 30_000;
const ACQUIRE_TIMEOUT_MS = 10_000;

/**
 * Creates the pool; connections are opened lazily, so it exists even while MySQL is down.
 * @example
 * const pool = createLinkPool(parseMysqlUrl("mysql://root@127.0.0.1:3306/app"));
 * const link = await pool.acquire();
 * pool.release(link);
 */
export function createLinkPool(target: MysqlTarget): LinkPool {
  const pool = mysql.createPool({
    ...connectionOptions(target),
    connectionLimit: MAX_OPEN_LINKS,
    maxIdle: MAX_OPEN_LINKS,
    idleTimeout: IDLE_LINK_MS,
    queueLimit: 0,
  });
  // A new connection runs the setup before anything else: mysql2 runs a connection's commands in order, and this
  // event fires before the connection is handed out. A failed setup closes it, so its first statement gets a 503.
  pool.pool.on("connection", (connection) => {
    connection.query(SESSION_SETUP, (error: Error | null) => {
      if (error) connection.destroy();
    });
  });
  // Keyed by mysql2's underlying connection: the promise API wraps it in a new object on every getConnection().
  const links = new WeakMap<object, Link>();
  let closed = false;

  /** One Link per connection, whose `dead` flips as soon as mysql2 sees the socket close or fail. */
  const linkFor = (connection: PoolConnection): Link => {
    const core = connection.connection;
    const known = links.get(core);
    if (known) return known;
    const link: Link = { connection, dead: false };
    // On the underlying connection, once: listeners on each wrapper would pile up on it. Listening to "error"
    // also keeps a connection that drops while idle from crashing the process.
    core.on("error", () => {
      link.dead = true;
    });
    core.on("end", () => {
      link.dead = true;
    });
    links.set(core, link);
    return link;
  };

  const discard = (link: Link) => {
    link.dead = true;
    link.connection.destroy();
  };

  return {
    target,
    async acquire() {
      if (closed) throw new BackendUnavailableError("the emulator is shutting down");
      const pending = pool.getConnection();
      let timer: NodeJS.Timeout | undefined;
      const deadline = new Promise<never>((_, reject) => {
        timer = setTimeout(() => {
          // The connection may still come; it goes straight back.
          pending.then((connection) => connection.release()).catch(() => {});
          const seconds = ACQUIRE_TIMEOUT_MS / 1000;
          reject(
            new BackendUnavailableError(
              `all ${MAX_OPEN_LINKS} MySQL connections stayed busy for ${seconds} s`,
            ),
          );
        }, ACQUIRE_TIMEOUT_MS);
      });
      try {
        const link = linkFor(await Promise.race([pending, deadline]));
        if (!link.dead) return link;
        discard(link);
        return await this.acquire();
      } catch (error) {
        if (error instanceof BackendUnavailableError) throw error;
        throw new BackendUnavailableError(unreachable(target, error));
      } finally {
        clearTimeout(timer);
      }
    },
    release(link) {
      if (link.dead || closed) discard(link);
      else link.connection.release();
    },
    discard,
    close() {
      closed = true;
      pool.end().catch(() => {});
    },
  };
}
