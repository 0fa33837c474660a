import type { SeenUrls } from "../lib/fanout/crawl-page.ts";
import type { SitemapStats } from "../lib/fanout/sitemaps.ts";
import type {
  CrawlJob,
  CrawlJobCounts,
  CrawlJobOptions,
  CrawlJobPage,
  CrawlJobStatus,
} from "../schemas/crawl-jobs.ts";

/** The job's own row: what it was asked to do and where it stands. */
export interface JobRow {
  id: string;
  url: string;
  options: CrawlJobOptions;
  status: CrawlJobStatus;
  /** Guard strictness and subrequest budget of the deployment that created the job. */
  production: boolean;
  budget: number;
  createdAt: number;
  startedAt: number | null;
  finishedAt: number | null;
  error: NonNullable<CrawlJob["error"]> | null;
  counts: CrawlJobCounts;
  usage: Omit<CrawlJob["usage"], "storedBytes">;
  /** What reading the sitemaps came to, once they have been read (jobs that read them). */
  sitemaps: SitemapStats | null;
  /** Unexpected failures of the alarm in a row; a job that keeps failing is ended. */
  strikes: number;
}

/** A URL waiting in the frontier. `attempts` counts invocations that started it and did not record it. */
export interface FrontierRow {
  seq: number;
  url: string;
  depth: number;
  attempts: number;
}

/** A recorded page, in completion order; `seq` is the keyset cursor. */
export interface StoredPage {
  seq: number;
  page: CrawlJobPage;
}

/** robots.txt as first fetched, replayed in later invocations instead of fetching it again. */
export interface CachedRobots {
  status: number | null;
  errorCode: string | null;
  body: ArrayBuffer | null;
}

type Row = Record<string, SqlStorageValue>;

// The frontier is read shallowest first, then in discovery order, through a partial index of the queued rows
// (SQLite's planner would rather scan and sort than use a full index that also holds the running ones). `seen` holds every
// normalised URL the job ever queued or followed a redirect to; `claimed_by` names the frontier entry whose
// redirect claimed it, so a page retried after a restart may follow its own redirects again.
const SCHEMA = `
CREATE TABLE IF NOT EXISTS job (one INTEGER PRIMARY KEY CHECK (one = 1), state TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS frontier (
  seq INTEGER PRIMARY KEY, url TEXT NOT NULL, depth INTEGER NOT NULL,
  state TEXT NOT NULL DEFAULT 'queued', attempts INTEGER NOT NULL DEFAULT 0);
CREATE INDEX IF NOT EXISTS frontier_queued ON frontier (depth, seq) WHERE state = 'queued';
CREATE INDEX IF NOT EXISTS frontier_running ON frontier (seq) WHERE state = 'running';
CREATE TABLE IF NOT EXISTS seen (url TEXT PRIMARY KEY, claimed_by INTEGER) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS pages (seq INTEGER PRIMARY KEY, failed INTEGER NOT NULL, page TEXT NOT NULL);
CREATE INDEX IF NOT EXISTS pages_failed ON pages (failed, seq);
CREATE TABLE IF NOT EXISTS robots (one INTEGER PRIMARY KEY CHECK (one = 1),
  status INTEGER, error_code TEXT, body BLOB);
`;

/**
 * A crawl job's durable state in its Durable Object's SQLite database. Every method is synchronous: the
 * storage API runs SQL in the object's own thread, so a redirect-hop check can consult the seen set mid-fetch
 * and a page's result, its new links and the counters commit together in one `transactionSync`.
 * Rows read and written are tallied into the job's `usage`, the figures Cloudflare bills.
 */
export class JobStore {
  readonly #storage: DurableObjectStorage;
  // Rows read and written since the job row was last saved. A cursor is lazy, so its counts are taken at the
  // next statement, by which time its caller (always in the same synchronous step) has consumed it.
  #last: SqlStorageCursor<Row> | undefined;
  #rowsRead = 0;
  #rowsWritten = 0;

  constructor(storage: DurableObjectStorage) {
    this.#storage = storage;
  }

  /** Whether this object holds a job; asking creates nothing, so unknown ids stay free. */
  exists(): boolean {
    return this.#exec("SELECT 1 FROM sqlite_master WHERE name = 'job'").toArray().length > 0;
  }

  /** Creates the tables and the job row, and queues the start URL unless the job reads only sitemaps. */
  create(job: JobRow): void {
    this.#storage.transactionSync(() => {
      for (const statement of SCHEMA.split(";").filter((sql) => sql.trim())) this.#exec(statement);
      this.#exec("INSERT INTO job (one, state) VALUES (1, ?)", JSON.stringify(job));
      if (job.options.source === "sitemaps") return;
      this.#exec("INSERT INTO seen (url) VALUES (?)", job.url);
      this.enqueue(job.url, 0);
    });
  }

  /** Runs `work` as one atomic step (nested steps become savepoints). */
  transaction<T>(work: () => T): T {
    return this.#storage.transactionSync(work);
  }

  job(): JobRow {
    return JSON.parse(String(this.#exec("SELECT state FROM job").one().state));
  }

  /**
   * Reads, changes and saves the job row in one synchronous step, so a cancel that arrived while a page was
   * being fetched is never overwritten. Adds the rows read and written since the last update to its usage.
   */
  updateJob(change: (job: JobRow) => void): JobRow {
    return this.#storage.transactionSync(() => {
      const job = this.job();
      change(job);
      this.#tally();
      job.usage.rowsRead += this.#rowsRead;
      job.usage.rowsWritten += this.#rowsWritten + 1;
      this.#rowsRead = 0;
      this.#rowsWritten = 0;
      this.#storage.sql.exec("UPDATE job SET state = ? WHERE one = 1", JSON.stringify(job));
      return job;
    });
  }

  /** The shallowest queued URL, oldest first, not already running in this invocation. */
  nextQueued(): FrontierRow | undefined {
    return this.#exec<FrontierRow & Row>(
      "SELECT seq, url, depth, attempts FROM frontier WHERE state = 'queued' ORDER BY depth, seq LIMIT 1",
    ).toArray()[0];
  }

  /** Marks a URL as started, durably, before its first subrequest: a restart then knows it was attempted. */
  markRunning(seq: number): void {
    this.#exec("UPDATE frontier SET state = 'running', attempts = attempts + 1 WHERE seq = ?", seq);
  }

  /** Puts URLs a dead invocation had started back in the queue; their attempts stay counted. */
  requeueRunning(): void {
    this.#exec("UPDATE frontier SET state = 'queued' WHERE state = 'running'");
  }

  /** Drops a frontier entry that will never be a page (disallowed, or given up on). */
  dropQueued(seq: number): void {
    this.#exec("DELETE FROM frontier WHERE seq = ?", seq);
  }

  /** Counts what is left in the frontier and empties it (the job reached `maxPages` or was cancelled). */
  clearFrontier(): number {
    return this.#exec("DELETE FROM frontier").rowsWritten;
  }

  /** Empties the queue but keeps the URLs in flight, whose pages are still recorded; answers how many went. */
  clearQueued(): number {
    return this.#exec("DELETE FROM frontier WHERE state = 'queued'").rowsWritten;
  }

  /** Whether any URL is left to fetch (read through the index, not by counting the whole frontier). */
  hasQueued(): boolean {
    return this.nextQueued() !== undefined;
  }

  /** Records one page and drops its frontier entry, atomically: a page is either recorded or still queued. */
  recordPage(entry: FrontierRow, page: CrawlJobPage, failed: boolean): void {
    this.#storage.transactionSync(() => {
      this.#exec("DELETE FROM frontier WHERE seq = ?", entry.seq);
      this.#exec("INSERT INTO pages (failed, page) VALUES (?, ?)", failed ? 1 : 0, JSON.stringify(page));
    });
  }

  /** Queues a URL already marked as seen. */
  enqueue(url: string, depth: number): void {
    this.#exec("INSERT INTO frontier (url, depth) VALUES (?, ?)", url, depth);
  }

  /**
   * Queues a redirect target that `entry`'s redirect claimed in the seen set but could not afford to follow;
   * from now on it is an ordinary URL of the job, unclaimed.
   */
  queueClaimed(url: string, depth: number): void {
    this.#exec("UPDATE seen SET claimed_by = NULL WHERE url = ?", url);
    this.#exec("INSERT INTO frontier (url, depth) VALUES (?, ?)", url, depth);
  }

  /** Claims a URL as seen; false when it already was. */
  markSeen(url: string): boolean {
    return this.#exec("INSERT OR IGNORE INTO seen (url) VALUES (?)", url).rowsWritten > 0;
  }

  /**
   * The seen set as one page's redirect-hop check sees it: a URL counts as seen unless this very frontier
   * entry claimed it, in an earlier attempt cut short by a restart.
   */
  seenFor(entry: FrontierRow): SeenUrls {
    return {
      has: (url) =>
        this.#exec("SELECT 1 FROM seen WHERE url = ? AND claimed_by IS NOT ?", url, entry.seq).toArray()
          .length > 0,
      add: (url) => {
        this.#exec("INSERT OR IGNORE INTO seen (url, claimed_by) VALUES (?, ?)", url, entry.seq);
      },
    };
  }

  /** Results after `cursor` in completion order; `failed` filters by outcome. */
  pages(after: number, limit: number, failed?: boolean): StoredPage[] {
    const rows =
      failed === undefined
        ? this.#exec("SELECT seq, page FROM pages WHERE seq > ? ORDER BY seq LIMIT ?", after, limit)
        : this.#exec(
            "SELECT seq, page FROM pages WHERE failed = ? AND seq > ? ORDER BY seq LIMIT ?",
            failed ? 1 : 0,
            after,
            limit,
          );
    return rows.toArray().map((row) => ({ seq: Number(row.seq), page: JSON.parse(String(row.page)) }));
  }

  robots(): CachedRobots | undefined {
    return this.#exec<CachedRobots & Row>(
      "SELECT status, error_code AS errorCode, body FROM robots",
    ).toArray()[0];
  }

  saveRobots(robots: CachedRobots): void {
    this.#exec(
      "INSERT OR REPLACE INTO robots (one, status, error_code, body) VALUES (1, ?, ?, ?)",
      robots.status,
      robots.errorCode,
      robots.body,
    );
  }

  #exec<T extends Row = Row>(query: string, ...bindings: SqlStorageValue[]): SqlStorageCursor<T> {
    this.#tally();
    const cursor = this.#storage.sql.exec<T>(query, ...bindings);
    this.#last = cursor;
    return cursor;
  }

  #tally(): void {
    if (!this.#last) return;
    this.#rowsRead += this.#last.rowsRead;
    this.#rowsWritten += this.#last.rowsWritten;
    this.#last = undefined;
  }
}
