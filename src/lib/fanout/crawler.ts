import type { CrawlPage, CrawlReport } from "../../schemas/crawl.ts";
import { type CrawlScope, isFailedPage, visitPage } from "./crawl-page.ts";
import type { Fanout } from "./engine.ts";
import { loadRobots } from "./robots.ts";
import { guardHop } from "./target-guard.ts";

export interface CrawlOptions {
  /** Where to begin; already passed by the target guard. Its origin bounds the crawl. */
  start: URL;
  /** Pages to fetch at most, failed ones included; robots.txt and redirect hops are not pages. */
  maxPages: number;
  /** Link distance from `start` (depth 0) beyond which nothing is fetched. */
  maxDepth: number;
  fanout: Fanout;
  /** Guard strictness for redirect hops, as for the start URL. */
  production: boolean;
  /** Called as each page completes, in completion order (the streaming answer). */
  onPage?: (page: CrawlPage) => void;
}

/**
 * Crawls breadth-first within the start URL's origin, obeying its robots.txt, one level at a time: depth
 * d+1 starts once depth d has finished, so when `maxPages` cuts a crawl short the pages kept are always the
 * shallowest, in the order they were discovered, and `pages` comes back in that order too. URLs are
 * deduplicated after normalisation, redirect targets included: a redirect hop's target is marked as seen
 * before it is requested, and a hop to a URL already seen (crawled or queued) is not followed, so no URL is
 * requested twice even when pages of one level redirect to the same target at once.
 *
 * @example
 * ```ts
 * const fanout = createFanout({ concurrency: 6, timeoutMs: 5000, subrequests: 50 });
 * const start = new URL("https://example.com/");
 * const report = await crawl({ start, maxPages: 20, maxDepth: 2, fanout, production: true });
 * report.pages.map((page) => `${page.depth} ${page.url} ${page.title ?? ""}`);
 * ```
 */
export async function crawl(options: CrawlOptions): Promise<CrawlReport> {
  const { start, fanout, maxPages, maxDepth, production } = options;
  const robots = await loadRobots(start, (url) => fanout.fetch(url, { checkHop: guardHop({ production }) }));
  const seen = new Set([start.href]);
  const scope: CrawlScope = { origin: start.origin, robots, production, seen };
  const pages: CrawlPage[] = [];
  let skippedByRobots = 0;

  async function visit(url: URL, depth: number) {
    const visited = await visitPage(fanout, url, depth, scope);
    options.onPage?.(visited.page);
    return visited;
  }

  function unseen(links: URL[]): URL[] {
    const fresh: URL[] = [];
    for (const url of links) {
      if (seen.has(url.href)) continue;
      seen.add(url.href);
      fresh.push(url);
    }
    return fresh;
  }

  let level = [start];
  for (let depth = 0; level.length > 0 && pages.length < maxPages && !fanout.budgetExhausted; depth++) {
    const allowed = level.filter((url) => robots.isAllowed(url));
    skippedByRobots += level.length - allowed.length;
    const batch = allowed.slice(0, maxPages - pages.length);
    // Promise.all keeps batch order, so `pages` stays in discovery order whatever order pages complete in.
    const visited = await Promise.all(batch.map((url) => visit(url, depth)));
    pages.push(...visited.map((result) => result.page));
    if (depth === maxDepth) break;
    level = unseen(visited.flatMap((result) => result.links));
  }

  const failed = pages.filter(isFailedPage).length;
  return {
    start: start.href,
    pages,
    elapsedMs: fanout.elapsedMs(),
    stats: {
      fetched: pages.length - failed,
      failed,
      skippedByRobots,
      maxInFlight: fanout.maxInFlight,
      subrequests: fanout.subrequests,
      budgetExhausted: fanout.budgetExhausted,
      robots: robots.source,
    },
  };
}
