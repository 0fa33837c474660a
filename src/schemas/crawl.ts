import * as z from "zod/mini";
import { robotsSources } from "../lib/fanout/robots.ts";
import { doc, named, queryInt } from "./doc.ts";
import { FetchFailureSchema } from "./errors.ts";

/** GET /crawl's options. */
export const CrawlQuerySchema = z.object({
  url: doc(z.string().check(z.minLength(1), z.maxLength(2048)), { example: "https://example.com/" }),
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
  z.object({
    url: z.string(),
    depth: z.int(),
    status: z.optional(z.int()),
    redirectedTo: doc(z.optional(z.string()), {
      description:
        "Where redirects ended, when there were any: the last URL requested, which the page's links resolve " +
        "against; or a redirect target the crawl had already seen (crawled or queued), which is not requested " +
        "again: that entry keeps the redirect's 3xx `status`, with no `error`, no `title` and 0 `links`.",
    }),
    title: z.optional(z.string()),
    links: doc(z.int(), {
      description:
        "How many distinct same-origin links the page has, after normalisation, seen before or not.",
    }),
    ms: z.number(),
    startMs: doc(z.number(), { description: "When it got its slot, in ms since the crawl began." }),
    endMs: z.number(),
    error: z.optional(FetchFailureSchema),
  }),
);

export type CrawlPage = z.infer<typeof CrawlPageSchema>;

/** A crawl's totals, as clients see them. */
export const CrawlStatsSchema = z.object({
  fetched: doc(z.int(), { description: "Pages that answered 2xx or 3xx." }),
  failed: doc(z.int(), {
    description: "Pages with an error or a 4xx/5xx status; `fetched + failed` is the number of pages.",
  }),
  skippedByRobots: doc(z.int(), {
    description: "Distinct URLs not requested because robots.txt disallows them.",
  }),
  maxInFlight: doc(z.int(), { description: "The peak number of subrequests in flight." }),
  subrequests: doc(z.int(), { description: "Subrequests made, robots.txt and redirects included." }),
  budgetExhausted: doc(z.boolean(), { description: "Whether the subrequest budget cut the crawl short." }),
  robots: doc(z.enum(robotsSources), {
    description:
      "`file`: robots.txt was read and obeyed; `none`: there is none (4xx), so all is allowed; " +
      "`unreachable`: it failed (5xx, timeout, network), so nothing is crawled, as RFC 9309 asks.",
  }),
});

export type CrawlStats = z.infer<typeof CrawlStatsSchema>;

/** What `crawl` answers, and GET /crawl's JSON body. */
export const CrawlReportSchema = named(
  "CrawlReport",
  z.object({
    start: z.string(),
    pages: z.array(CrawlPageSchema),
    elapsedMs: z.number(),
    stats: CrawlStatsSchema,
  }),
);

export type CrawlReport = z.infer<typeof CrawlReportSchema>;
