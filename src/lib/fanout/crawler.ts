import type { Fanout, TimedOutcome } from "./engine.ts";
import { type FetchFailure, failure } from "./failure.ts";
import type { HopCheck } from "./fetch-one.ts";
import { extractLinks, isHtml, type PageLinks } from "./links.ts";
import { normalizeUrl } from "./normalize.ts";
import { loadRobots, type RobotsRules } from "./robots.ts";
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

export interface CrawlPage {
  url: string;
  depth: number;
  status?: number;
  /** Where redirects ended, when they did; links resolve against it. */
  redirectedTo?: string;
  title?: string;
  /** Distinct same-origin links on the page, after normalisation (seen before or not). */
  links: number;
  ms: number;
  startMs: number;
  endMs: number;
  error?: FetchFailure;
}

export interface CrawlStats {
  /** Pages that answered 2xx or 3xx. */
  fetched: number;
  /** Pages with an `error` or a 4xx/5xx status; `fetched + failed` is the number of pages. */
  failed: number;
  /** Distinct URLs not requested because robots.txt disallows them. */
  skippedByRobots: number;
  maxInFlight: number;
  subrequests: number;
  /** Whether the crawl stopped early because the subrequest budget was spent. */
  budgetExhausted: boolean;
  /** What robots.txt said: rules from the file, no file (all allowed), or unreachable (nothing allowed). */
  robots: RobotsRules["source"];
}

export interface CrawlReport {
  start: string;
  pages: CrawlPage[];
  elapsedMs: number;
  stats: CrawlStats;
}

/**
 * Crawls breadth-first within the start URL's origin, obeying its robots.txt, one level at a time: depth
 * d+1 starts once depth d has finished, so when `maxPages` cuts a crawl short the pages kept are always the
 * shallowest, in the order they were discovered, and `pages` comes back in that order too. URLs are
 * deduplicated after normalisation, redirect targets included.
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
  const checkHop = pageHop(start.origin, robots, production);
  const seen = new Set([start.href]);
  const pages: CrawlPage[] = [];
  let skippedByRobots = 0;

  async function visit(url: URL, depth: number) {
    const outcome = await fanout.fetch(url, { checkHop, wantBody: isWantedPage });
    if (outcome.redirects > 0) seen.add((normalizeUrl(outcome.url) ?? outcome.url).href);
    const found = await linksOf(outcome, start.origin);
    const page = toPage(url, depth, outcome, found);
    options.onPage?.(page);
    return { page, links: found.links };
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

  const failed = pages.filter((page) => page.error || (page.status ?? 0) >= 400).length;
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

function isWantedPage(response: Response): boolean {
  return response.ok && isHtml(response.headers.get("content-type"));
}

async function linksOf(outcome: TimedOutcome, origin: string): Promise<PageLinks> {
  if (!outcome.body) return { links: [] };
  const contentType = outcome.headers?.get("content-type") ?? "text/html";
  // An encoding HTMLRewriter cannot decode leaves the page unparsed rather than failing the crawl.
  const parsed = await extractLinks(outcome.body, outcome.url, contentType).catch(() => ({ links: [] }));
  return { ...parsed, links: parsed.links.filter((link) => link.origin === origin) };
}

function toPage(url: URL, depth: number, outcome: TimedOutcome, found: PageLinks): CrawlPage {
  return {
    url: url.href,
    depth,
    ...(outcome.status === undefined ? {} : { status: outcome.status }),
    ...(outcome.redirects > 0 ? { redirectedTo: outcome.url.href } : {}),
    ...(found.title ? { title: found.title } : {}),
    links: found.links.length,
    ms: outcome.ms,
    startMs: outcome.startMs,
    endMs: outcome.endMs,
    ...(outcome.error ? { error: outcome.error } : {}),
  };
}

// Every redirect hop of a page must pass the guard, stay on the start origin and be allowed by robots.txt.
function pageHop(origin: string, robots: RobotsRules, production: boolean): HopCheck {
  const guard = guardHop({ production });
  return function checkPageHop(url) {
    const refused = guard(url);
    if (refused) return refused;
    if (url.origin !== origin) {
      return failure(
        "off_origin",
        `The redirect leaves ${origin} for ${url.origin}; the crawl stays on its origin.`,
      );
    }
    if (!robots.isAllowed(url)) {
      return failure(
        "disallowed_by_robots",
        `The redirect leads to ${url.pathname}, which robots.txt disallows.`,
      );
    }
    return undefined;
  };
}
