import type { UrlPatterns } from "../lib/fanout/patterns.ts";
import type { RobotsRules } from "../lib/fanout/robots.ts";
import type { JobStore } from "./store.ts";

/** What decides whether a URL found by a job is queued. */
export interface Admission {
  start: string;
  maxDepth: number;
  robots: RobotsRules;
  patterns: UrlPatterns;
}

/** How each URL offered to the job was judged, for its counters. */
export interface Admitted {
  queued: number;
  disallowed: number;
  skipped: number;
}

/**
 * Offers URLs to the job's frontier, inside the caller's transaction: a URL seen before is ignored; a new one
 * joins the seen set and is queued at `depth`, unless it is deeper than `maxDepth` (ignored), fails the
 * include/exclude globs (skipped; the start URL never does) or robots.txt disallows it (disallowed).
 *
 * @example
 * ```ts
 * const counted = admit(store, links, page.depth + 1, admission);
 * ```
 */
export function admit(store: JobStore, urls: readonly URL[], depth: number, rules: Admission): Admitted {
  const counted: Admitted = { queued: 0, disallowed: 0, skipped: 0 };
  if (depth > rules.maxDepth) return counted;
  for (const url of urls) {
    if (!store.markSeen(url.href)) continue;
    if (url.href !== rules.start && !rules.patterns.admits(url)) counted.skipped++;
    else if (!rules.robots.isAllowed(url)) counted.disallowed++;
    else {
      store.enqueue(url.href, depth);
      counted.queued++;
    }
  }
  return counted;
}
