import { createBudget } from "./budget.ts";
import { type FetchOneOptions, type FetchOutcome, fetchOne } from "./fetch-one.ts";
import { createLimiter } from "./limiter.ts";

export interface FanoutOptions {
  /** Most subrequests in flight at once (the Workers runtime allows six open connections per request). */
  concurrency: number;
  /** Deadline of each subrequest. */
  timeoutMs: number;
  /** Most subrequests in all, redirect hops and robots.txt included. */
  subrequests: number;
  /** Aborts everything still running, e.g. when a streaming client disconnects. */
  signal?: AbortSignal;
}

/** What `fetch` passes on to `fetchOne` besides the shared deadline, budget and signal. */
export type FanoutRequest = Pick<
  FetchOneOptions,
  "method" | "checkHop" | "wantBody" | "accept" | "readBody" | "pace"
>;

/** One URL's outcome and when it held its slot, in ms since the fan-out began. */
export interface TimedOutcome extends FetchOutcome {
  startMs: number;
  endMs: number;
  ms: number;
}

/** The engine both /fetch and /crawl run on. */
export interface Fanout {
  fetch(url: URL, request: FanoutRequest): Promise<TimedOutcome>;
  /** Milliseconds since the fan-out was created. */
  elapsedMs(): number;
  /** The most subrequests it lets run at once. */
  readonly concurrency: number;
  /** The most subrequests that were in flight at once. */
  readonly maxInFlight: number;
  /** Subrequests made so far. */
  readonly subrequests: number;
  /** Whether some URL went unfetched because the subrequest budget was spent. */
  readonly budgetExhausted: boolean;
}

/**
 * Creates the bounded-concurrency engine: every `fetch` waits for one of `concurrency` slots, holds it
 * while its subrequests and body read run (so a slot is one open connection), and records when it ran.
 *
 * @example
 * ```ts
 * const fanout = createFanout({ concurrency: 6, timeoutMs: 5000, subrequests: 50 });
 * const outcomes = await Promise.all(urls.map((url) => fanout.fetch(url, { checkHop })));
 * console.log(fanout.maxInFlight, fanout.elapsedMs());
 * ```
 */
export function createFanout(options: FanoutOptions): Fanout {
  const limiter = createLimiter(options.concurrency);
  const budget = createBudget(options.subrequests);
  const began = performance.now();
  const sinceStart = () => Math.round(performance.now() - began);

  return {
    fetch(url, request) {
      return limiter.run(async function timedFetch() {
        const startMs = sinceStart();
        const outcome = await fetchOne(url, {
          ...request,
          timeoutMs: options.timeoutMs,
          signal: options.signal,
          takeSubrequest: () => budget.take(),
        });
        const endMs = sinceStart();
        return { ...outcome, startMs, endMs, ms: endMs - startMs };
      });
    },
    elapsedMs: sinceStart,
    concurrency: options.concurrency,
    get maxInFlight() {
      return limiter.peak;
    },
    get subrequests() {
      return budget.used;
    },
    get budgetExhausted() {
      return budget.exhausted;
    },
  };
}
