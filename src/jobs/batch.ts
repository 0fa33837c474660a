import { type CrawlScope, isFailedPage, visitPage } from "../lib/fanout/crawl-page.ts";
import { createFanout, type Fanout } from "../lib/fanout/engine.ts";
import { failure } from "../lib/fanout/failure.ts";
import { createPacer } from "../lib/fanout/pace.ts";
import { compilePatterns } from "../lib/fanout/patterns.ts";
import { readSitemaps, SITEMAP_URLS_MAX } from "../lib/fanout/sitemaps.ts";
import type { CrawlPage } from "../schemas/crawl.ts";
import { type Admission, type Admitted, admit } from "./admit.ts";
import { type InvocationBudget, withHopBudget } from "./hop-budget.ts";
import { jobRobots } from "./robots.ts";
import type { FrontierRow, JobRow, JobStore } from "./store.ts";

/**
 * How often a URL may be started without its page being recorded (the invocation died mid-fetch) before it is
 * recorded as failed instead of being fetched once more.
 */
const MAX_ATTEMPTS = 2;

/**
 * Pages one invocation starts at most, whatever the budget: on the Paid plan a budget of 10,000 would otherwise
 * put a whole job into one alarm, near its CPU limit (30 s by default) and its 15-minute wall-clock limit.
 */
const PAGES_PER_INVOCATION = 500;

/** What one invocation leaves behind: whether the job has more to do, and how long to wait before it. */
export type BatchOutcome = { next: "more"; afterMs: number } | { next: "finished" };

/**
 * Runs one invocation's share of a crawl job. The first one reads robots.txt (stored, replayed by later ones)
 * and, unless `source` is `links`, the sitemaps, queueing their entries as they stream in. Then it keeps up
 * to `concurrency` pages in flight, taking the shallowest queued URL whenever a slot frees up and recording each
 * page with its new links the moment it completes. Every subrequest is counted against the budget before it
 * is made: a page starts only while one is left, and a redirect hop it cannot cover is queued as a URL of its
 * own (see `withHopBudget`). A page starts only while no running page is two levels shallower (that one could
 * still find a shallower URL, and `maxPages` keeps the shallowest). With a robots.txt `Crawl-delay` one page
 * runs per invocation, the next alarm set one delay later. Once the job is cancelled no page starts.
 *
 * Only the pages in flight live in memory; the frontier, the seen set and the results stay in SQLite.
 *
 * @example
 * ```ts
 * const outcome = await runBatch(store, Date.now());
 * if (outcome.next === "more") await ctx.storage.setAlarm(Date.now() + outcome.afterMs);
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
    return { next: "finished" };
  }
  const rules: Admission = {
    start: start.href,
    maxDepth: options.maxDepth,
    robots,
    patterns: compilePatterns(options),
  };
  const pace = robots.crawlDelayMs > 0 ? createPacer(robots.crawlDelayMs) : undefined;
  if (job.sitemaps === null && options.source !== "links")
    await queueSitemaps(store, fanout, job, rules, pace);
  const run: Invocation = {
    scope: { origin: start.origin, robots, production: job.production, pace },
    rules,
    offset: began - (job.startedAt ?? began),
    budget: { spent: fanout.subrequests, limit: job.budget },
    pagesLeft: pace ? 1 : PAGES_PER_INVOCATION,
  };
  await crawlSlots(store, fanout, run);
  return settle(store, fanout, robots.crawlDelayMs);
}

interface Invocation {
  scope: Omit<CrawlScope, "seen">;
  rules: Admission;
  /** Milliseconds from the job's start to this invocation's, so page times share the job's axis. */
  offset: number;
  budget: InvocationBudget;
  /** Pages this invocation may still start: one under a Crawl-delay, else `PAGES_PER_INVOCATION`. */
  pagesLeft: number;
}

// Entries stream in while the file is read and are queued one transaction each, so a restart loses none that
// were counted; the stats are stored when every file is done (a restart before that reads them again).
async function queueSitemaps(
  store: JobStore,
  fanout: Fanout,
  job: JobRow,
  rules: Admission,
  pace?: () => Promise<void>,
) {
  void pace?.(); // robots.txt was the first request to the origin
  const stats = await readSitemaps({
    fanout,
    origin: new URL(job.url).origin,
    robots: rules.robots,
    production: job.production,
    pace,
    maxUrls: Math.min(SITEMAP_URLS_MAX, Math.max(100, 4 * job.options.maxPages)),
    onUrl(url) {
      store.transaction(() => count(store, admit(store, [url], url.href === rules.start ? 0 : 1, rules)));
    },
  });
  store.updateJob(function sitemapsRead(job) {
    job.sitemaps = stats;
  });
}

function crawlSlots(store: JobStore, fanout: Fanout, run: Invocation): Promise<void> {
  const running = new Map<number, number>();
  return new Promise(function schedule(resolve) {
    const fill = () => {
      for (;;) {
        const job = store.job();
        if (job.status !== "running" || running.size >= job.options.concurrency) break;
        if (run.budget.spent >= run.budget.limit || run.pagesLeft <= 0) break;
        if (pagesOf(job) + running.size >= job.options.maxPages) break;
        const entry = store.nextQueued();
        if (!entry || entry.depth > Math.min(...running.values()) + 1) break;
        if (skipEntry(store, entry, run)) continue;
        store.markRunning(entry.seq);
        running.set(entry.seq, entry.depth);
        run.budget.spent++;
        run.pagesLeft--;
        void visit(store, fanout, run, entry).finally(() => {
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
function skipEntry(store: JobStore, entry: FrontierRow, run: Invocation): boolean {
  if (!run.rules.robots.isAllowed(new URL(entry.url))) {
    store.transaction(() => {
      store.dropQueued(entry.seq);
      count(store, { queued: -1, disallowed: 1, skipped: 0 });
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
  record(store, entry, page, [], run);
  return true;
}

async function visit(store: JobStore, fanout: Fanout, run: Invocation, entry: FrontierRow) {
  const seen = store.seenFor(entry);
  const budgeted = withHopBudget(fanout, run.budget);
  const visited = await visitPage(budgeted.fanout, new URL(entry.url), entry.depth, { ...run.scope, seen });
  const { page } = visited;
  const rebased = { ...page, startMs: page.startMs + run.offset, endMs: page.endMs + run.offset };
  record(store, entry, rebased, visited.links, run, budgeted.deferred());
}

// One transaction: the page joins the results, its frontier entry goes, and its links are offered to the
// frontier, unless the job was cancelled meanwhile or reads only sitemaps. A redirect target deferred for want
// of budget is queued at the page's own depth: it is the same page, moved.
function record(
  store: JobStore,
  entry: FrontierRow,
  page: CrawlPage,
  links: URL[],
  run: Invocation,
  deferred?: URL,
) {
  const failed = isFailedPage(page);
  store.transaction(function recordPage() {
    const job = store.job();
    store.recordPage(entry, { ...page, fetchedAt: new Date().toISOString() }, failed);
    const counted = { queued: -1, disallowed: 0, skipped: 0 };
    if (job.status === "running") {
      if (deferred) {
        store.queueClaimed(deferred.href, entry.depth);
        counted.queued++;
      }
      if (job.options.source !== "sitemaps") add(counted, admit(store, links, entry.depth + 1, run.rules));
    }
    count(store, counted, failed ? "failed" : "fetched");
  });
}

function add(total: Admitted, more: Admitted) {
  total.queued += more.queued;
  total.disallowed += more.disallowed;
  total.skipped += more.skipped;
}

function count(store: JobStore, counted: Admitted, page?: "fetched" | "failed") {
  store.updateJob(function countUrls(job) {
    add(job.counts, counted);
    if (page) job.counts[page]++;
  });
}

// After the last page of the invocation: the job is done when its frontier is empty or maxPages reached.
function settle(store: JobStore, fanout: Fanout, crawlDelayMs: number): BatchOutcome {
  const job = store.job();
  if (job.status === "running" && store.hasQueued() && pagesOf(job) < job.options.maxPages) {
    addSubrequests(store, fanout);
    return { next: "more", afterMs: crawlDelayMs };
  }
  if (job.status === "running") finish(store, fanout, "completed");
  else addSubrequests(store, fanout);
  return { next: "finished" };
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
  store.updateJob(function countSubrequests(job) {
    job.usage.subrequests += fanout.subrequests;
  });
}

function pagesOf(job: JobRow): number {
  return job.counts.fetched + job.counts.failed;
}
