import robotsParser from "robots-parser";
import type { FailureCode } from "./failure.ts";
import { type FetchOutcome, USER_AGENT } from "./fetch-one.ts";

/**
 * Where a crawl's rules came from: `file`: rules from robots.txt; `none`: no robots.txt, all allowed;
 * `unreachable`: none allowed.
 *
 * @example
 * ```ts
 * const Source = v.picklist(robotsSources);
 * ```
 */
export const robotsSources = ["file", "none", "unreachable"] as const;

/** The rules one crawl obeys, read once from the start origin's robots.txt. */
export interface RobotsRules {
  isAllowed(url: URL): boolean;
  /** One of `robotsSources`. */
  readonly source: (typeof robotsSources)[number];
  /** The `Crawl-delay` of our group in ms, capped at `MAX_CRAWL_DELAY_MS`; 0 when there is none. */
  readonly crawlDelayMs: number;
  /** The `Sitemap:` lines, as written (absolute URLs by the protocol; judged by the crawler). */
  readonly sitemaps: readonly string[];
}

/**
 * The longest `Crawl-delay` obeyed (10 s); a site asking for more gets this, since one crawl of 200 pages
 * would otherwise hold a request open for hours.
 *
 * @example
 * ```ts
 * const spacing = Math.min(seconds * 1000, MAX_CRAWL_DELAY_MS);
 * ```
 */
export const MAX_CRAWL_DELAY_MS = 10_000;

// Failures RFC 9309 counts as "unavailable" (2.3.1.3): the site has no usable robots.txt, so all is allowed.
// The robots.txt fetch goes through the plain target guard, so its redirect failures are these three.
const unavailableCodes = new Set<FailureCode>(["too_many_redirects", "invalid_redirect", "refused_target"]);

/**
 * Fetches `/robots.txt` of `origin` once, through `fetchRobots` (so it counts against the same concurrency
 * and subrequest budget as the pages), and answers what the crawl may request, following RFC 9309:
 * a 2xx is parsed and obeyed for the group matching our user agent (else `*`); a 4xx or a redirect
 * problem means there are no rules; a 5xx, timeout, network failure or oversized file means the site
 * could not say, so nothing is crawled.
 *
 * @example
 * ```ts
 * const robots = await loadRobots(new URL("https://example.com/"), (url) => fanout.fetch(url, { checkHop }));
 * robots.isAllowed(new URL("https://example.com/private/")); // false when robots.txt disallows /private/
 * ```
 */
export async function loadRobots(
  origin: URL,
  fetchRobots: (url: URL) => Promise<FetchOutcome>,
): Promise<RobotsRules> {
  const robotsUrl = new URL("/robots.txt", origin);
  const outcome = await fetchRobots(robotsUrl);
  const status = outcome.status ?? 0;
  if (!outcome.error && status >= 200 && status < 300) {
    const robots = robotsParser(robotsUrl.href, new TextDecoder().decode(outcome.body));
    const delaySeconds = robots.getCrawlDelay(USER_AGENT) ?? 0;
    return {
      source: "file",
      // robots-parser answers undefined for another origin's URL; the crawler never asks about those.
      isAllowed: (url) => robots.isAllowed(url.href, USER_AGENT) ?? false,
      crawlDelayMs: delaySeconds > 0 ? Math.min(Math.round(delaySeconds * 1000), MAX_CRAWL_DELAY_MS) : 0,
      sitemaps: robots.getSitemaps(),
    };
  }
  const unavailable = outcome.error
    ? unavailableCodes.has(outcome.error.code)
    : status >= 400 && status < 500;
  return unavailable
    ? { source: "none", isAllowed: () => true, crawlDelayMs: 0, sitemaps: [] }
    : { source: "unreachable", isAllowed: () => false, crawlDelayMs: 0, sitemaps: [] };
}
