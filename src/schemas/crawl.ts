import * as v from "valibot";
import { robotsSources } from "../lib/fanout/robots.ts";
import { doc, named, queryInt } from "./doc.ts";

const integer = () => v.pipe(v.number(), v.integer());

import { FetchFailureSchema } from "./errors.ts";

/** GET /crawl's options. */
export const CrawlQuerySchema = v.object({
  url: doc(v.pipe(v.string(), v.minLength(1), v.maxLength(2048)), { example: "https://example.com/" }),
  maxPages: doc(queryInt(1, 200, 20), {
    description:
      "Pages fetched at most, failed ones included. The default 20 leaves room within the Free plan's 50 " +
      "subrequests for robots.txt and redirects.",
  }),
  maxDepth: doc(queryInt(0, 5, 2), {
    description: "Link distance from the start URL (depth 0) beyond which nothing is fetched.",
  }),
  concurrency: queryInt(1, 6, 6),
  timeoutMs: doc(queryInt(100, 30_000, 5000), {
    description: "Deadline of each subrequest (each redirect hop has its own), headers and body included.",
  }),
});

/** One page of a crawl, as clients see it; the schema is the type's only definition. */
export const CrawlPageSchema = named(
  "CrawlPage",
  v.object({
    url: v.string(),
    depth: integer(),
    status: v.optional(integer()),
    redirectedTo: doc(v.optional(v.string()), {
      description:
        "Where redirects ended, when there were any: the last URL requested, which the page's links resolve " +
        "against; or a redirect target the crawl had already seen (crawled or queued), which is not requested " +
        "again: that entry keeps the redirect's 3xx `status`, with no `error`, no `title` and 0 `links`.",
    }),
    title: v.optional(v.string()),
    links: doc(integer(), {
      description:
        "How many distinct same-origin links the page has, after normalisation, seen before or not.",
    }),
    ms: v.number(),
    startMs: doc(v.number(), { description: "When it got its slot, in ms since the crawl began." }),
    endMs: v.number(),
    error: v.optional(FetchFailureSchema),
  }),
);

export type CrawlPage = v.InferOutput<typeof CrawlPageSchema>;

/** A crawl's totals, as clients see them. */
export const CrawlStatsSchema = v.object({
  fetched: doc(integer(), { description: "Pages that answered 2xx or 3xx." }),
  failed: doc(integer(), {
    description: "Pages with an error or a 4xx/5xx status; `fetched + failed` is the number of pages.",
  }),
  skippedByRobots: doc(integer(), {
    description: "Distinct URLs not requested because robots.txt disallows them.",
  }),
  maxInFlight: doc(integer(), { description: "The peak number of subrequests in flight." }),
  subrequests: doc(integer(), { description: "Subrequests made, robots.txt and redirects included." }),
  budgetExhausted: doc(v.boolean(), { description: "Whether the subrequest budget cut the crawl short." }),
  robots: doc(v.picklist(robotsSources), {
    description:
      "`file`: robots.txt was read and obeyed; `none`: there is none (4xx), so all is allowed; " +
      "`unreachable`: it failed (5xx, timeout, network), so nothing is crawled, as RFC 9309 asks.",
  }),
});

export type CrawlStats = v.InferOutput<typeof CrawlStatsSchema>;

/** What `crawl` answers, and GET /crawl's JSON body. */
export const CrawlReportSchema = named(
  "CrawlReport",
  v.object({
    start: v.string(),
    pages: v.array(CrawlPageSchema),
    elapsedMs: v.number(),
    stats: CrawlStatsSchema,
  }),
);

export type CrawlReport = v.InferOutput<typeof CrawlReportSchema>;
