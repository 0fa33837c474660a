import { type CrawlScope, isFailedPage, visitPage } from "../lib/fanout/crawl-page.ts";
import { createFanout, type Fanout } from "../lib/fanout/engine.ts";
import { failure } from "../lib/fanout/failure.ts";
import type { RobotsRules } from "../lib/fanout/robots.ts";
import type { CrawlPage } from "../schemas/crawl.ts";
import { jobRobots } from "./robots.ts";
import type { FrontierRow, JobRow, JobStore } from "./store.ts";

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
 * it completes. Every subrequest is counted against the job's budget before it is made: a page starts only
 * while one is left, and a redirect hop the budget cannot cover is not followed now but queued as a URL of its
 * own (the page keeps its 3xx and names the target in `redirectedTo`, as for a target already seen), so no page
 * is cut off halfway and no URL is requested twice. A page starts only while no running page is two levels
 * shallower (one of those could still find a shallower URL, and `maxPages` must keep the shallowest). Once the
 * job is cancelled no page starts; the invocation ends when nothing is in flight.
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
  const budget = { spent: fanout.subrequests, limit: job.budget };
  await crawlSlots(store, fanout, { scope, offset, budget });
  return settle(store, fanout);
}

interface Invocation {
  scope: Omit<CrawlScope, "seen">;
  /** Milliseconds from the job's start to this invocation's, so page times share the job's axis. */
  offset: number;
  /** Subrequests promised so far (robots.txt, pages started, hops let through) and the most allowed. */
  budget: { spent: number; limit: number };
}

function crawlSlots(store: JobStore, fanout: Fanout, run: Invocation): Promise<void> {
  const running = new Map<number, number>();
  return new Promise(function schedule(resolve) {
    const fill = () => {
      for (;;) {
        const job = store.job();
        if (job.status !== "running" || running.size >= job.options.concurrency) break;
        if (run.budget.spent >= run.budget.limit) break;
        if (pagesOf(job) + running.size >= job.options.maxPages) break;
        const entry = store.nextQueued();
        if (!entry || entry.depth > Math.min(...running.values()) + 1) break;
        if (skipEntry(store, entry, run.scope.robots)) continue;
        store.markRunning(entry.seq);
        running.set(entry.seq, entry.depth);
        run.budget.spent++;
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

async function visit(store: JobStore, fanout: Fanout, run: Invocation, entry: FrontierRow) {
  const seen = store.seenFor(entry);
  const budgeted = withHopBudget(fanout, run.budget);
  const visited = await visitPage(budgeted.fanout, new URL(entry.url), entry.depth, { ...run.scope, seen });
  const { page } = visited;
  const rebased = { ...page, startMs: page.startMs + run.offset, endMs: page.endMs + run.offset };
  const deferred = budgeted.deferred();
  record(store, entry, rebased, visited.links, run.scope.robots, deferred?.href);
}

/**
 * The fan-out as one page sees it: each redirect hop that passes the page's own checks also needs a subrequest
 * left in the budget; without one it is skipped (not requested) and remembered, to be queued as its own URL.
 */
function withHopBudget(fanout: Fanout, budget: Invocation["budget"]) {
  let deferred: URL | undefined;
  const budgeted: Fanout = {
    fetch: (url, request) =>
      fanout.fetch(url, {
        ...request,
        checkHop: function checkBudgetedHop(next) {
          const verdict = request.checkHop(next);
          if (verdict !== undefined) return verdict;
          if (budget.spent >= budget.limit) {
            deferred = next;
            return "skip";
          }
          budget.spent++;
          return undefined;
        },
      }),
    elapsedMs: () => fanout.elapsedMs(),
    get maxInFlight() {
      return fanout.maxInFlight;
    },
    get subrequests() {
      return fanout.subrequests;
    },
    get budgetExhausted() {
      return fanout.budgetExhausted;
    },
  };
  return { fanout: budgeted, deferred: () => deferred };
}

// One transaction: the page joins the results, its frontier entry goes, and its unseen links are queued (or
// counted as disallowed), unless the job was cancelled meanwhile or they would be deeper than maxDepth. A redirect
// target deferred for want of budget is queued at the page's own depth: it is the same page, moved.
function record(
  store: JobStore,
  entry: FrontierRow,
  page: CrawlPage,
  links: URL[],
  robots?: RobotsRules,
  deferred?: string,
) {
  const failed = isFailedPage(page);
  store.transaction(function recordPage() {
    const job = store.job();
    const follow = job.status === "running" && entry.depth < job.options.maxDepth ? links : [];
    const allowed = follow.filter((link) => robots?.isAllowed(link)).map((link) => link.href);
    const stored = { ...page, fetchedAt: new Date().toISOString() };
    let fresh = store.recordPage(entry, stored, failed, allowed);
    if (deferred && job.status === "running") {
      store.queueClaimed(deferred, entry.depth);
      fresh++;
    }
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
  if (store.hasQueued() && pagesOf(job) < job.options.maxPages) {
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
