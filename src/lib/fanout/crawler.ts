import type { CrawlPage, CrawlReport } from "../../schemas/crawl.ts";
import type { Fanout, TimedOutcome } from "./engine.ts";
import { failure } from "./failure.ts";
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
  const pages: CrawlPage[] = [];
  let skippedByRobots = 0;

  async function visit(url: URL, depth: number) {
    const checkHop = pageHop(url, { origin: start.origin, robots, production, seen });
    const outcome = await fanout.fetch(url, { checkHop, wantBody: isWantedPage, accept: HTML_FIRST });
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

const HTML_FIRST = "text/html,application/xhtml+xml;q=0.9,*/*;q=0.1";

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
    ...redirectedTo(outcome),
    ...(found.title ? { title: found.title } : {}),
    links: found.links.length,
    ms: outcome.ms,
    startMs: outcome.startMs,
    endMs: outcome.endMs,
    ...(outcome.error ? { error: outcome.error } : {}),
  };
}

function redirectedTo(outcome: TimedOutcome): Pick<CrawlPage, "redirectedTo"> {
  if (outcome.skipped) return { redirectedTo: outcome.skipped.href };
  return outcome.redirects > 0 ? { redirectedTo: outcome.url.href } : {};
}

interface PageHopContext {
  origin: string;
  robots: RobotsRules;
  production: boolean;
  /** The crawl's normalised URLs, crawled or queued; every hop let through is added before it is requested. */
  seen: Set<string>;
}

// Every redirect hop of a page must pass the guard, stay on the start origin and be allowed by robots.txt.
// A hop to a URL the crawl has already seen is then skipped, not requested, unless it returns to the page's
// own redirect chain: that is a loop, followed until the redirect limit reports it as one.
function pageHop(page: URL, { origin, robots, production, seen }: PageHopContext): HopCheck {
  const guard = guardHop({ production });
  const chain = new Set([page.href]);
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
    const key = (normalizeUrl(url) ?? url).href;
    if (chain.has(key)) return undefined;
    if (seen.has(key)) return "skip";
    seen.add(key);
    chain.add(key);
    return undefined;
  };
}
