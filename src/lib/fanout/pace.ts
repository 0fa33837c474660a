/**
 * Spaces the requests it is asked to admit at least `intervalMs` apart, one after the other in the order
 * they ask: the robots.txt `Crawl-delay` of one origin. With an interval of 0 every request goes at once.
 * Each turn is measured from when the previous one was let through, read after its wait: in Workers the
 * clock only moves on I/O and timers, so a time read before waiting can be stale, and spacing computed from
 * it could come out short.
 *
 * @example
 * ```ts
 * const pace = createPacer(robots.crawlDelayMs);
 * await pace(); // resolves when this request may be sent
 * ```
 */
export function createPacer(intervalMs: number): () => Promise<void> {
  let last = Number.NEGATIVE_INFINITY;
  let turns = Promise.resolve();
  return function pace() {
    if (intervalMs <= 0) return Promise.resolve();
    turns = turns.then(async function waitForTurn() {
      const wait = last + intervalMs - performance.now();
      if (wait > 0) await new Promise((resolve) => setTimeout(resolve, wait));
      last = performance.now();
    });
    return turns;
  };
}
