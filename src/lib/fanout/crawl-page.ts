import type { CrawlPage } from "../../schemas/crawl.ts";
import type { Fanout, TimedOutcome } from "./engine.ts";
import { failure } from "./failure.ts";
import type { HopCheck } from "./fetch-one.ts";
import { extractLinks, isHtml, type PageLinks } from "./links.ts";
import { normalizeUrl } from "./normalize.ts";
import type { RobotsRules } from "./robots.ts";
import { guardHop } from "./target-guard.ts";

/**
 * The URLs a crawl has seen (crawled or queued), normalised. A `Set<string>` is one; a durable crawl job keeps
 * them in synchronous SQLite storage instead, so the set never has to fit in isolate memory.
 */
export interface SeenUrls {
  has(href: string): boolean;
  add(href: string): void;
}

/** What bounds a crawl, shared by every page it visits. */
export interface CrawlScope {
  /** The start URL's origin; links and redirect hops elsewhere are not followed. */
  origin: string;
  robots: RobotsRules;
  /** Guard strictness for redirect hops, as for the start URL. */
  production: boolean;
  /** Every redirect hop let through is added before it is requested, so no URL is requested twice. */
  seen: SeenUrls;
  /** Spaces the requests to the origin (robots.txt `Crawl-delay`, see `createPacer`); none when absent. */
  pace?: () => Promise<void>;
}

/** One visited page: its entry for the results, and its distinct same-origin links, seen before or not. */
export interface VisitedPage {
  page: CrawlPage;
  links: URL[];
}

/**
 * Fetches one page of a crawl through `fanout` (one slot, its subrequest budget): every redirect hop passes
 * the target guard, stays on `scope.origin` and is allowed by robots.txt; a hop to a URL already in
 * `scope.seen` is not followed (the entry keeps the 3xx and names the target in `redirectedTo`) unless it
 * returns into the page's own redirect chain, which is a loop, followed until `too_many_redirects`.
 * Only a 2xx `text/html` body is read and scanned for links. The caller decides whether `url` may be
 * visited at all (robots.txt, seen, patterns) and which of the links it queues. Never throws.
 *
 * @example
 * ```ts
 * const scope = { origin: start.origin, robots, production: true, seen: new Set([start.href]) };
 * const { page, links } = await visitPage(fanout, start, 0, scope);
 * for (const link of links) if (!scope.seen.has(link.href)) scope.seen.add(link.href);
 * ```
 */
export async function visitPage(
  fanout: Fanout,
  url: URL,
  depth: number,
  scope: CrawlScope,
): Promise<VisitedPage> {
  const outcome = await fanout.fetch(url, {
    checkHop: pageHop(url, scope),
    wantBody: isWantedPage,
    accept: HTML_FIRST,
    pace: scope.pace,
  });
  const found = await linksOf(outcome, scope.origin);
  return { page: toPage(url, depth, outcome, found), links: found.links };
}

/**
 * Whether a crawl page counts as failed in its stats: an error, or a 4xx/5xx answer.
 *
 * @example
 * ```ts
 * const failed = pages.filter(isFailedPage).length;
 * ```
 */
export function isFailedPage(page: CrawlPage): boolean {
  return page.error !== undefined || (page.status ?? 0) >= 400;
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

// A hop already seen is skipped, not requested, unless it returns into the page's own chain: a loop,
// followed until the redirect limit reports it as one.
function pageHop(page: URL, { origin, robots, production, seen }: CrawlScope): HopCheck {
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
