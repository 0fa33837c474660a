import { DurableObject } from "cloudflare:workers";
import type {
  CrawlJobOptions,
  CrawlJobPageStatus,
  CrawlJobPages,
  CrawlJobStatus,
  CrawlJob as CrawlJobView,
} from "../schemas/crawl-jobs.ts";
import { runBatch } from "./batch.ts";
import { type JobRow, JobStore } from "./store.ts";

/** How long a finished job's results are kept before the job deletes itself. */
export const RETENTION_MS = 7 * 24 * 60 * 60 * 1000;

/** Unexpected alarm failures in a row after which the job is ended as `failed`. */
const MAX_STRIKES = 3;

/** What creating a job needs besides its options: decided by the Worker that accepted the request. */
export interface NewJob {
  id: string;
  url: string;
  options: CrawlJobOptions;
  production: boolean;
  budget: number;
}

/**
 * One crawl job, one Durable Object: its frontier, seen set and results live in the object's SQLite storage,
 * and its work runs in alarms, one batch of pages per invocation, each within the subrequest budget, until
 * the frontier is empty or `maxPages` is reached. Seven days after it ends the job deletes its own storage.
 * The Worker reaches it by RPC through the `CRAWL_JOBS` binding, named by the job's random id.
 *
 * @example
 * ```ts
 * const job = env.CRAWL_JOBS.get(env.CRAWL_JOBS.idFromName(id));
 * const view = await job.create({ id, url, options, production: true, budget: 50 });
 * ```
 */
export class CrawlJob extends DurableObject<Env> {
  readonly #store = new JobStore(this.ctx.storage);

  /** Stores a new job and schedules its first batch; answers the job as clients see it. */
  async create(job: NewJob): Promise<CrawlJobView> {
    const row: JobRow = {
      ...job,
      status: "queued",
      createdAt: Date.now(),
      startedAt: null,
      finishedAt: null,
      error: null,
      counts: {
        queued: job.options.source === "sitemaps" ? 0 : 1,
        fetched: 0,
        failed: 0,
        disallowed: 0,
        skipped: 0,
      },
      usage: { invocations: 0, subrequests: 0, rowsRead: 0, rowsWritten: 0 },
      sitemaps: null,
      strikes: 0,
    };
    this.#store.create(row);
    await this.ctx.storage.setAlarm(Date.now());
    return view(this.#store.job(), this.ctx.storage.sql.databaseSize);
  }

  /** The job, or null when this object holds none (an unknown or expired id). */
  async read(): Promise<CrawlJobView | null> {
    if (!this.#store.exists()) return null;
    const job = this.#store.job();
    // An unfinished job always has its next batch scheduled; should an alarm ever be lost, reading re-arms it.
    if (!isFinished(job.status) && (await this.ctx.storage.getAlarm()) === null) {
      await this.ctx.storage.setAlarm(Date.now());
    }
    return view(job, this.ctx.storage.sql.databaseSize);
  }

  /**
   * Results after `cursor` in the order they were recorded (a running job only appends, so a client following
   * `nextCursor` sees every page once); `status` filters by outcome. `nextCursor` is null once the job has
   * ended and nothing is left after this page; while it runs it is where to poll from next.
   */
  async pages(cursor: number, limit: number, status?: CrawlJobPageStatus): Promise<CrawlJobPages | null> {
    if (!this.#store.exists()) return null;
    const failed = status === undefined ? undefined : status === "failed";
    const rows = this.#store.pages(cursor, limit + 1, failed);
    const page = rows.slice(0, limit);
    const last = page.at(-1)?.seq ?? cursor;
    const more = rows.length > limit || !isFinished(this.#store.job().status);
    return { items: page.map((row) => row.page), nextCursor: more ? String(last) : null };
  }

  /**
   * Cancels the job: no page starts after this, pages in flight are still recorded, queued URLs are counted
   * as skipped. A finished job is answered unchanged, so cancelling twice answers the same job.
   */
  async cancel(): Promise<CrawlJobView | null> {
    if (!this.#store.exists()) return null;
    const store = this.#store;
    const job = store.transaction(() => {
      if (isFinished(store.job().status)) return store.job();
      const left = store.clearQueued();
      return store.updateJob(function cancelJob(job) {
        job.status = "cancelled";
        job.finishedAt = Date.now();
        job.counts.skipped += left;
        job.counts.queued -= left;
      });
    });
    if (job.finishedAt !== null) await this.ctx.storage.setAlarm(job.finishedAt + RETENTION_MS);
    return view(job, this.ctx.storage.sql.databaseSize);
  }

  /** The next batch, or, once the job has ended, its deletion when the retention period is over. */
  override async alarm(): Promise<void> {
    if (!this.#store.exists()) return;
    const job = this.#store.job();
    if (isFinished(job.status)) return this.#expire(job);
    try {
      const outcome = await runBatch(this.#store, Date.now());
      if (this.#store.job().strikes > 0)
        this.#store.updateJob((job) => {
          job.strikes = 0;
        });
      if (outcome.next === "more") return this.ctx.storage.setAlarm(Date.now() + outcome.afterMs);
      return this.#expire(this.#store.job());
    } catch (error) {
      // A bug or a storage fault: retry a few times with a pause, then end the job rather than loop forever.
      const message = error instanceof Error ? error.message : String(error);
      const failed = this.#store.updateJob(function strike(job) {
        job.strikes++;
        if (job.strikes < MAX_STRIKES) return;
        job.status = "failed";
        job.finishedAt = Date.now();
        job.error = { code: "internal_error", message: `The job stopped on an internal error: ${message}` };
      });
      if (isFinished(failed.status)) return this.#expire(failed);
      return this.ctx.storage.setAlarm(Date.now() + 1000 * 2 ** failed.strikes);
    }
  }

  async #expire(job: JobRow): Promise<void> {
    const expiresAt = (job.finishedAt ?? Date.now()) + RETENTION_MS;
    if (Date.now() < expiresAt) return this.ctx.storage.setAlarm(expiresAt);
    await this.ctx.storage.deleteAlarm();
    await this.ctx.storage.deleteAll();
  }
}

function isFinished(status: CrawlJobStatus): boolean {
  return status === "completed" || status === "cancelled" || status === "failed";
}

function view(job: JobRow, storedBytes: number): CrawlJobView {
  const end = job.finishedAt ?? Date.now();
  return {
    id: job.id,
    status: job.status,
    url: job.url,
    options: job.options,
    counts: job.counts,
    createdAt: new Date(job.createdAt).toISOString(),
    ...(job.startedAt === null ? {} : { startedAt: new Date(job.startedAt).toISOString() }),
    ...(job.finishedAt === null ? {} : { finishedAt: new Date(job.finishedAt).toISOString() }),
    elapsedMs: job.startedAt === null ? 0 : end - job.startedAt,
    ...(job.error ? { error: job.error } : {}),
    ...(job.sitemaps ? { sitemaps: job.sitemaps } : {}),
    usage: { ...job.usage, storedBytes },
  };
}
