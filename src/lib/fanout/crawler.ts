import type { CrawlPage, CrawlReport } from "../../schemas/crawl.ts";
import { type CrawlScope, isFailedPage, visitPage } from "./crawl-page.ts";
import type { Fanout } from "./engine.ts";
import { levelOrder } from "./level-order.ts";
import { createPacer } from "./pace.ts";
import { compilePatterns } from "./patterns.ts";
import { loadRobots } from "./robots.ts";
import { createFrontier, createScheduler, type QueuedUrl } from "./scheduler.ts";
import { readSitemaps, SITEMAP_URLS_MAX, type SitemapStats } from "./sitemaps.ts";
import { guardHop } from "./target-guard.ts";

/**
 * Where a crawl finds its URLs: `links` follows `<a href>`, `sitemaps` takes only the URLs the site's
 * sitemaps list, `all` does both.
 *
 * @example
 * ```ts
 * const Source = v.picklist(crawlSources);
 * ```
 */
export const crawlSources = ["links", "sitemaps", "all"] as const;

export type CrawlSource = (typeof crawlSources)[number];

/** A sitemap entry's depth: one step from the start, as if the start page linked to it. */
const SITEMAP_DEPTH = 1;

export interface CrawlOptions {
  /** Where to begin; already passed by the target guard. Its origin bounds the crawl. */
  start: URL;
  /** Pages to fetch at most, failed ones included; robots.txt, sitemaps and redirect hops are not pages. */
  maxPages: number;
  /** Link distance from `start` (depth 0) beyond which nothing is fetched; a sitemap entry is at depth 1. */
  maxDepth: number;
  fanout: Fanout;
  /** Guard strictness for redirect hops, as for the start URL. */
  production: boolean;
  /** Default `all`. */
  source?: CrawlSource;
  /** URL globs (see `compilePatterns`) a URL other than the start must match, when any are given. */
  include?: readonly string[];
  /** URL globs no URL other than the start may match; they win over `include`. */
  exclude?: readonly string[];
  /** Called as each page completes, in completion order (the streaming answer). */
  onPage?: (page: CrawlPage) => void;
}

/**
 * Crawls within the start URL's origin, obeying its robots.txt (rules and `Crawl-delay`), from links, sitemaps
 * or both, keeping `fanout`'s slots busy with the scheduler of `scheduler.ts`: no barrier between depths, the
 * shallowest URL first, and when `maxPages` cuts the crawl short, no URL left out is shallower than a page
 * kept. URLs are deduplicated after normalisation, redirect targets included (see `visitPage`).
 *
 * `pages` order is deterministic whatever order pages complete in: by depth, and within a depth in the order
 * a level-by-level crawl would have found them: following the previous depth's pages in their order and each
 * one's links in document order; sitemap entries not reached that way come last, in sitemap order.
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
  const source = options.source ?? "all";
  const robots = await loadRobots(start, (url) => fanout.fetch(url, { checkHop: guardHop({ production }) }));
  const pace = createPacer(robots.crawlDelayMs);
  // The robots.txt request just made is the first one the delay spaces the others from.
  void pace();
  const seen = new Set<string>();
  const scope: CrawlScope = { origin: start.origin, robots, production, seen, pace };
  const patterns = compilePatterns(options);
  const frontier = createFrontier();
  const pages: CrawlPage[] = [];
  const linksOf = new Map<string, string[]>();
  const seqOf = new Map<string, number>();
  let seq = 0;
  let skippedByRobots = 0;
  let skippedByPattern = 0;

  function admit(url: URL, depth: number): void {
    if (depth > maxDepth) return;
    const href = url.href;
    if (seen.has(href)) {
      if (frontier.has(href)) frontier.push({ href, depth, seq: seq++ });
      return;
    }
    // Once the budget is spent nothing more could be fetched; what is queued already is reported as unfetched.
    if (fanout.budgetExhausted) return;
    seen.add(href);
    if (href !== start.href && !patterns.admits(url)) {
      skippedByPattern++;
      return;
    }
    if (!robots.isAllowed(url)) {
      skippedByRobots++;
      return;
    }
    seqOf.set(href, seq);
    frontier.push({ href, depth, seq: seq++ });
  }

  async function visit(item: QueuedUrl): Promise<void> {
    const { page, links } = await visitPage(fanout, new URL(item.href), item.depth, scope);
    pages.push(page);
    linksOf.set(page.url, links.map(String));
    if (source !== "sitemaps") for (const link of links) admit(link, item.depth + 1);
    options.onPage?.(page);
  }

  const scheduler = createScheduler({ concurrency: fanout.concurrency, limit: maxPages, frontier, visit });
  if (source !== "sitemaps") admit(start, 0);
  let sitemaps: SitemapStats = { read: 0, urls: 0, errors: 0, truncated: false };
  const wantsSitemaps = source !== "links" && maxDepth >= SITEMAP_DEPTH;
  if (wantsSitemaps && robots.source !== "unreachable") {
    const reading = readSitemaps({
      fanout,
      origin: start.origin,
      robots,
      production,
      pace,
      maxUrls: Math.min(SITEMAP_URLS_MAX, Math.max(100, 4 * maxPages)),
      onUrl(url) {
        admit(url, SITEMAP_DEPTH);
        scheduler.pump();
      },
      // Once `maxPages` pages have started, no entry read later could be crawled.
      enough: () => scheduler.started >= maxPages || fanout.budgetExhausted,
    });
    scheduler.hold(
      reading.then((stats) => (sitemaps = stats)),
      SITEMAP_DEPTH,
    );
  }
  await scheduler.run();

  const ordered = levelOrder(pages, linksOf, seqOf);
  const failed = ordered.filter(isFailedPage).length;
  return {
    start: start.href,
    pages: ordered,
    elapsedMs: fanout.elapsedMs(),
    stats: {
      fetched: ordered.length - failed,
      failed,
      skippedByRobots,
      skippedByPattern,
      maxInFlight: fanout.maxInFlight,
      subrequests: fanout.subrequests,
      budgetExhausted: fanout.budgetExhausted,
      robots: robots.source,
      crawlDelayMs: robots.crawlDelayMs,
      sitemaps,
    },
  };
}
