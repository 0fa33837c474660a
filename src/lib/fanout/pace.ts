/**
 * Spaces the requests it is asked to admit at least `intervalMs` apart, in the order they ask: the
 * robots.txt `Crawl-delay` of one origin. With an interval of 0 every request goes at once.
 *
 * @example
 * ```ts
 * const pace = createPacer(robots.crawlDelayMs);
 * await pace(); // resolves when this request may be sent
 * ```
 */
export function createPacer(intervalMs: number): () => Promise<void> {
  let nextAt = Number.NEGATIVE_INFINITY;
  return function pace() {
    if (intervalMs <= 0) return Promise.resolve();
    const now = performance.now();
    const at = Math.max(now, nextAt);
    nextAt = at + intervalMs;
    return at <= now ? Promise.resolve() : new Promise((resolve) => setTimeout(resolve, at - now));
  };
}
