/** A URL waiting to be crawled: its normalised href, its link distance from the start, and its turn. */
export interface QueuedUrl {
  href: string;
  depth: number;
  /** Discovery order, crawl-wide; breaks ties between URLs of one depth. */
  seq: number;
}

/**
 * The URLs waiting in a crawl, shallowest first, then in discovery order. The crawler keeps one in memory
 * (`createFrontier`); a durable crawl job can keep its own in storage behind the same three methods.
 */
export interface Frontier {
  /**
   * Queues a URL; for a URL already waiting, keeps the smaller depth (a shorter path to it was found while it
   * waited, so it reports its true link distance).
   */
  push(item: QueuedUrl): void;
  /** The next URL to start, left in place. */
  peek(): QueuedUrl | undefined;
  /** Removes and answers what `peek` answers. */
  shift(): QueuedUrl | undefined;
  /** Whether `href` is waiting (queued, not yet started). */
  has(href: string): boolean;
}

/**
 * An in-memory frontier: a binary heap on (depth, seq), with a depth lowered by pushing the URL again and
 * the older entry dropped when it surfaces.
 *
 * @example
 * ```ts
 * const frontier = createFrontier();
 * frontier.push({ href: "https://example.com/", depth: 0, seq: 0 });
 * frontier.shift()?.href; // "https://example.com/"
 * ```
 */
export function createFrontier(): Frontier {
  const heap: QueuedUrl[] = [];
  const waiting = new Map<string, QueuedUrl>();
  const before = (a: QueuedUrl, b: QueuedUrl) => a.depth - b.depth || a.seq - b.seq;

  function swap(i: number, j: number) {
    [heap[i], heap[j]] = [heap[j] as QueuedUrl, heap[i] as QueuedUrl];
  }
  function up(i: number) {
    for (let parent = (i - 1) >> 1; i > 0 && before(at(i), at(parent)) < 0; parent = (i - 1) >> 1) {
      swap(i, parent);
      i = parent;
    }
  }
  function down(i: number) {
    for (;;) {
      let first = i;
      for (const child of [2 * i + 1, 2 * i + 2]) {
        if (child < heap.length && before(at(child), at(first)) < 0) first = child;
      }
      if (first === i) return;
      swap(i, first);
      i = first;
    }
  }
  function at(i: number): QueuedUrl {
    return heap[i] as QueuedUrl;
  }
  function pop(): QueuedUrl | undefined {
    const top = heap[0];
    const last = heap.pop();
    if (heap.length > 0 && last) {
      heap[0] = last;
      down(0);
    }
    return top;
  }
  // Entries superseded by a shallower push are dropped as they reach the top.
  function settle() {
    while (heap.length > 0 && waiting.get(at(0).href) !== heap[0]) pop();
  }

  return {
    push(item) {
      const queued = waiting.get(item.href);
      if (queued && queued.depth <= item.depth) return;
      waiting.set(item.href, item);
      heap.push(item);
      up(heap.length - 1);
    },
    peek() {
      settle();
      return heap[0];
    },
    shift() {
      settle();
      const top = pop();
      if (top) waiting.delete(top.href);
      return top;
    },
    has(href) {
      return waiting.has(href);
    },
  };
}

export interface ScheduleOptions {
  /** Most visits running at once. */
  concurrency: number;
  /** Most visits started in all (`maxPages`). */
  limit: number;
  frontier: Frontier;
  /**
   * Crawls one URL and pushes what it finds into the frontier before it resolves. A rejection stops the
   * schedule: nothing new starts, and `run` rejects once the running visits have settled.
   */
  visit(item: QueuedUrl): Promise<void>;
}

/** A running crawl's scheduler. */
export interface Scheduler {
  /** Starts whatever may start now; call after pushing into the frontier from outside a visit. */
  pump(): void;
  /**
   * Keeps the schedule alive until `work` settles, for producers outside the visits (sitemaps): they push URLs
   * of depth `depth` or more into the frontier and pump as they go. Until it settles the producer counts as a
   * page of depth `depth` − 1 running, so nothing deeper than `depth` + 1 starts that it could still outrank.
   */
  hold(work: Promise<unknown>, depth: number): void;
  /** Resolves with the number of visits started once nothing runs, nothing is held and nothing can start. */
  run(): Promise<number>;
  readonly inFlight: number;
  /** Visits started so far. */
  readonly started: number;
}

/**
 * Keeps `concurrency` visits running while the frontier has URLs that may start, with no barrier between
 * depths: a page's links are queued the moment it completes. The next URL is always the frontier's shallowest
 * (earliest discovered among equals), and a URL of depth d waits while a page of depth d − 2 or less is still
 * running, since that page could yet discover URLs shallower than d. So when `limit` cuts a crawl short, no URL
 * left out is shallower than a page that was crawled, and every page's depth is its true link distance (a URL
 * found again by a shorter path while it waits moves up). That one rule is the only time a slot stays idle.
 *
 * @example
 * ```ts
 * const frontier = createFrontier();
 * frontier.push({ href: start.href, depth: 0, seq: 0 });
 * const scheduler = createScheduler({ concurrency: 6, limit: 50, frontier, visit: crawlOne });
 * const started = await scheduler.run();
 * ```
 */
export function createScheduler(options: ScheduleOptions): Scheduler {
  const { concurrency, limit, frontier } = options;
  const runningAt: number[] = [];
  let inFlight = 0;
  let started = 0;
  let held = 0;
  let failure: { error: unknown } | undefined;
  let finish: ((started: number) => void) | undefined;
  let fail: ((error: unknown) => void) | undefined;

  function shallowestRunning(): number {
    const depth = runningAt.findIndex((count) => count > 0);
    return depth < 0 ? Number.POSITIVE_INFINITY : depth;
  }

  function pump(): void {
    while (!failure && inFlight < concurrency && started < limit) {
      const next = frontier.peek();
      if (!next || shallowestRunning() < next.depth - 1) break;
      frontier.shift();
      start(next);
    }
    settleIfIdle();
  }

  function start(item: QueuedUrl): void {
    started++;
    inFlight++;
    runningAt[item.depth] = (runningAt[item.depth] ?? 0) + 1;
    options.visit(item).then(
      () => finished(item),
      (error: unknown) => {
        failure ??= { error };
        finished(item);
      },
    );
  }

  function finished(item: QueuedUrl): void {
    inFlight--;
    runningAt[item.depth] = (runningAt[item.depth] ?? 1) - 1;
    pump();
  }

  function settleIfIdle(): void {
    if (inFlight > 0 || held > 0 || !finish || !fail) return;
    if (failure) fail(failure.error);
    else finish(started);
  }

  return {
    pump,
    hold(work, depth) {
      held++;
      const as = Math.max(0, depth - 1);
      runningAt[as] = (runningAt[as] ?? 0) + 1;
      work
        .catch((error: unknown) => {
          failure ??= { error };
        })
        .finally(() => {
          held--;
          runningAt[as] = (runningAt[as] ?? 1) - 1;
          pump();
        });
    },
    run() {
      return new Promise<number>((resolve, reject) => {
        finish = resolve;
        fail = reject;
        pump();
      });
    },
    get inFlight() {
      return inFlight;
    },
    get started() {
      return started;
    },
  };
}
