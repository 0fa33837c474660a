/**
 * A capped pool of MySQL connections: idle ones are reused so that queries outside a transaction do not pay for a
 * handshake each, and past the cap requests wait for a connection instead of exhausting max_connections.
 */
import { type Link, type MysqlTarget, openLink } from "./backend.ts";
import { BackendUnavailableError } from "./errors.ts";

/**
 * Connections ready for the next query, and every open one so that shutdown can close them all.
 * @example const link = await pool.acquire(); try { … } finally { pool.release(link); }
 */
export interface LinkPool {
  target: MysqlTarget;
  /** @throws BackendUnavailableError when MySQL cannot be reached, or every connection stayed busy for 10 s. */
  acquire(): Promise<Link>;
  /** To the next waiting request or the idle list; closed when the link is dead. */
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

/** Receives a link handed over directly, or undefined when a slot for a new connection came free. */
type Waiter = (link: Link | undefined) => void;

/**
 * Creates the pool; connections are opened lazily, so it exists even while MySQL is down.
 * @example
 * const pool = createLinkPool(parseMysqlUrl("mysql://root@127.0.0.1:3306/app"));
 * const link = await pool.acquire();
 * pool.release(link);
 */
export function createLinkPool(target: MysqlTarget): LinkPool {
  // Oldest first: acquire takes the newest, the sweep closes from the front.
  const idle: { link: Link; since: number }[] = [];
  const open = new Set<Link>();
  const waiters: Waiter[] = [];
  let opening = 0;
  let closed = false;

  function discard(link: Link): void {
    link.dead = true;
    link.connection.destroy();
    if (open.delete(link)) waiters.shift()?.(undefined);
  }

  function waitForLink(): Promise<Link | undefined> {
    return new Promise((resolve, reject) => {
      const waiter: Waiter = (link) => {
        clearTimeout(timer);
        resolve(link);
      };
      const timer = setTimeout(() => {
        waiters.splice(waiters.indexOf(waiter), 1);
        const seconds = ACQUIRE_TIMEOUT_MS / 1000;
        reject(
          new BackendUnavailableError(`all ${MAX_OPEN_LINKS} MySQL connections stayed busy for ${seconds} s`),
        );
      }, ACQUIRE_TIMEOUT_MS);
      waiters.push(waiter);
    });
  }

  function closeStaleIdle(): void {
    const cutoff = Date.now() - IDLE_LINK_MS;
    while (idle[0] && idle[0].since < cutoff) discard(idle.shift()!.link);
  }
  const sweeper = setInterval(closeStaleIdle, IDLE_LINK_MS / 3);
  sweeper.unref();

  async function openCounted(): Promise<Link> {
    opening++;
    try {
      return await openLink(target);
    } finally {
      opening--;
    }
  }

  return {
    target,
    async acquire() {
      for (;;) {
        if (closed) throw new BackendUnavailableError("the emulator is shutting down");
        for (let entry = idle.pop(); entry; entry = idle.pop()) {
          if (!entry.link.dead) return entry.link;
          discard(entry.link);
        }
        if (open.size + opening < MAX_OPEN_LINKS) {
          const link = await openCounted();
          open.add(link);
          if (closed) discard(link);
          else return link;
        } else {
          const handed = await waitForLink();
          if (handed) return handed;
        }
      }
    },
    release(link) {
      if (link.dead || closed) return discard(link);
      const waiter = waiters.shift();
      if (waiter) return waiter(link);
      idle.push({ link, since: Date.now() });
    },
    discard,
    close() {
      closed = true;
      clearInterval(sweeper);
      idle.length = 0;
      for (const link of open) discard(link);
      for (const waiter of waiters.splice(0)) waiter(undefined);
    },
  };
}
