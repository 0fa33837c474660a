/**
 * A counting semaphore for subrequests. Production Workers allow six open connections per request and queue
 * the rest, but local `wrangler dev` does not enforce that, so the fan-out enforces it itself and remembers
 * the peak, which is what `stats.maxInFlight` reports.
 */
export interface Limiter {
  /** Runs `task` once a slot is free and holds the slot until the task settles. */
  run<T>(task: () => Promise<T>): Promise<T>;
  /** Tasks holding a slot right now. */
  readonly inFlight: number;
  /** The most tasks that ever held a slot at the same moment. */
  readonly peak: number;
}

/**
 * Creates a limiter with `concurrency` slots, handed out first come, first served.
 *
 * @example
 * ```ts
 * const limiter = createLimiter(6);
 * const pages = await Promise.all(urls.map((url) => limiter.run(() => fetch(url).then((r) => r.text()))));
 * console.log(limiter.peak); // at most 6
 * ```
 */
export function createLimiter(concurrency: number): Limiter {
  if (!Number.isInteger(concurrency) || concurrency < 1) {
    throw new RangeError(`concurrency must be a positive integer, not ${concurrency}.`);
  }
  let inFlight = 0;
  let peak = 0;
  const waiting: (() => void)[] = [];

  function acquire(): Promise<void> {
    if (inFlight < concurrency) {
      inFlight++;
      peak = Math.max(peak, inFlight);
      return Promise.resolve();
    }
    return new Promise((resolve) => waiting.push(resolve));
  }

  // The slot passes straight to the next waiter, so a task arriving in between cannot jump the queue.
  function release(): void {
    const next = waiting.shift();
    if (next) next();
    else inFlight--;
  }

  return {
    async run<T>(task: () => Promise<T>): Promise<T> {
      await acquire();
      try {
        return await task();
      } finally {
        release();
      }
    },
    get inFlight() {
      return inFlight;
    },
    get peak() {
      return peak;
    },
  };
}
