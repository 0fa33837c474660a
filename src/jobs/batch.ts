import { type CrawlScope, isFailedPage, visitPage } from "../lib/fanout/crawl-page.ts";
import { createFanout, type Fanout } from "../lib/fanout/engine.ts";
import { failure } from "../lib/fanout/failure.ts";
import { MAX_REDIRECTS } from "../lib/fanout/fetch-one.ts";
import type { RobotsRules } from "../lib/fanout/robots.ts";
import type { CrawlPage } from "../schemas/crawl.ts";
import { jobRobots } from "./robots.ts";
import type { FrontierRow, JobRow, JobStore } from "./store.ts";

/** The most subrequests one page can cost: the URL itself and every redirect hop. */
const PAGE_COST = 1 + MAX_REDIRECTS;

/**
 * How often a URL may be started without its page being recorded (the invocation died mid-fetch) before it is
 * recorded as failed instead of being fetched once more.
 */
const MAX_ATTEMPTS = 2;

/** What one invocation leaves behind: whether the job has more to do. */
export type BatchOutcome = "more" | "finished";

/**
 * Runs one invocation's share of a crawl job: keeps up to `concurrency` pages in flight, taking the shallowest
 * queued URL from the frontier whenever a slot frees up, and records each page with its new links the moment
 * it completes. It starts a page only while the subrequest budget still covers the worst case of every page in
 * flight (each page plus five redirect hops), so no page is ever cut off halfway by the budget, and only while
 * no running page is two levels shallower (one of those could still find a shallower URL, and `maxPages` must
 * keep the shallowest). It stops starting pages once the job is cancelled, and ends when nothing is in flight.
 *
 * Nothing but the pages in flight lives in memory: the frontier, the seen set and the results stay in SQLite.
 *
 * @example
 * ```ts
 * if ((await runBatch(store, Date.now())) === "more") await ctx.storage.setAlarm(Date.now());
 * ```
 */
export async function runBatch(store: JobStore, began: number): Promise<BatchOutcome> {
  const job = store.updateJob(function startInvocation(job) {
    if (job.status === "queued") job.status = "running";
    job.startedAt ??= began;
    job.usage.invocations++;
  });
  // Pages a dead invocation had started and not recorded go back to the queue, their attempt counted.
  store.requeueRunning();
  const { options } = job;
  const fanout = createFanout({
    concurrency: options.concurrency,
    timeoutMs: options.timeoutMs,
    subrequests: job.budget,
  });
  const start = new URL(job.url);
  const robots = await jobRobots(store, fanout, start, job.production);
  if (robots.source === "unreachable") {
    finish(store, fanout, "failed", {
      code: "robots_unreachable",
      message: `${start.origin}/robots.txt could not be read, so nothing was crawled (RFC 9309); retry later.`,
    });
    return "finished";
  }
  const scope = { origin: start.origin, robots, production: job.production };
  const offset = began - (job.startedAt ?? began);
  await crawlSlots(store, fanout, scope, offset);
  return settle(store, fanout);
}

type Scope = Omit<CrawlScope, "seen">;

function crawlSlots(store: JobStore, fanout: Fanout, scope: Scope, offset: number): Promise<void> {
  const running = new Map<number, number>();
  const reserve = Math.min(PAGE_COST, store.job().budget);
  return new Promise(function schedule(resolve) {
    const fill = () => {
      for (;;) {
        const job = store.job();
        if (job.status !== "running" || running.size >= job.options.concurrency) break;
        if (fanout.subrequests + reserve * (running.size + 1) > job.budget) break;
        if (pagesOf(job) + running.size >= job.options.maxPages) break;
        const entry = store.nextQueued();
        if (!entry || entry.depth > Math.min(...running.values()) + 1) break;
        if (skipEntry(store, entry, scope.robots)) continue;
        store.markRunning(entry.seq);
        running.set(entry.seq, entry.depth);
        void visit(store, fanout, scope, entry, offset).finally(() => {
          running.delete(entry.seq);
          fill();
        });
      }
      if (running.size === 0) resolve();
    };
    fill();
  });
}

// A URL robots.txt disallows is dropped and counted; one that died with its invocation too often is recorded
// as failed without another fetch. Both answer true: the slot is still free.
function skipEntry(store: JobStore, entry: FrontierRow, robots: RobotsRules): boolean {
  if (!robots.isAllowed(new URL(entry.url))) {
    store.dropQueued(entry.seq);
    store.updateJob((job) => {
      job.counts.queued--;
      job.counts.disallowed++;
    });
    return true;
  }
  if (entry.attempts < MAX_ATTEMPTS) return false;
  const page: CrawlPage = {
    url: entry.url,
    depth: entry.depth,
    links: 0,
    ms: 0,
    startMs: 0,
    endMs: 0,
    error: failure(
      "aborted",
      `Not fetched again: the job stopped ${entry.attempts} times while fetching it.`,
    ),
  };
  record(store, entry, page, []);
  return true;
}

async function visit(store: JobStore, fanout: Fanout, scope: Scope, entry: FrontierRow, offset: number) {
  const seen = store.seenFor(entry);
  const { page, links } = await visitPage(fanout, new URL(entry.url), entry.depth, { ...scope, seen });
  const rebased = { ...page, startMs: page.startMs + offset, endMs: page.endMs + offset };
  record(store, entry, rebased, links, scope.robots);
}

// One transaction: the page joins the results, its frontier entry goes, and its unseen links are queued (or
// counted as disallowed), unless the job was cancelled meanwhile or they would be deeper than maxDepth.
function record(store: JobStore, entry: FrontierRow, page: CrawlPage, links: URL[], robots?: RobotsRules) {
  const failed = isFailedPage(page);
  store.transaction(function recordPage() {
    const job = store.job();
    const follow = job.status === "running" && entry.depth < job.options.maxDepth ? links : [];
    const allowed = follow.filter((link) => robots?.isAllowed(link)).map((link) => link.href);
    const stored = { ...page, fetchedAt: new Date().toISOString() };
    const fresh = store.recordPage(entry, stored, failed, allowed);
    let disallowed = 0;
    for (const link of follow) if (!robots?.isAllowed(link) && store.markSeen(link.href)) disallowed++;
    store.updateJob(function countPage(job) {
      job.counts.queued += fresh - 1;
      job.counts.disallowed += disallowed;
      if (failed) job.counts.failed++;
      else job.counts.fetched++;
    });
  });
}

// After the last page of the invocation: the job is done when its frontier is empty or maxPages reached.
function settle(store: JobStore, fanout: Fanout): BatchOutcome {
  const job = store.job();
  if (job.status !== "running") {
    addSubrequests(store, fanout);
    return "finished";
  }
  if (store.queuedCount() > 0 && pagesOf(job) < job.options.maxPages) {
    addSubrequests(store, fanout);
    return "more";
  }
  finish(store, fanout, "completed");
  return "finished";
}

function finish(store: JobStore, fanout: Fanout, status: "completed" | "failed", error?: JobRow["error"]) {
  store.transaction(() => {
    const left = store.clearFrontier();
    store.updateJob(function end(job) {
      job.status = status;
      job.finishedAt = Date.now();
      job.counts.skipped += left;
      job.counts.queued = 0;
      job.usage.subrequests += fanout.subrequests;
      if (error) job.error = error;
    });
  });
}

function addSubrequests(store: JobStore, fanout: Fanout) {
  store.updateJob((job) => {
    job.usage.subrequests += fanout.subrequests;
  });
}

function pagesOf(job: JobRow): number {
  return job.counts.fetched + job.counts.failed;
}
