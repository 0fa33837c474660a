import * as v from "valibot";
import { crawlSources } from "../lib/fanout/crawler.ts";
import { GLOB_MAX_LENGTH, globProblem } from "../lib/fanout/patterns.ts";
import { robotsSources } from "../lib/fanout/robots.ts";
import { doc, integer, named, queryInt, type SchemaDoc } from "./doc.ts";
import { FetchFailureSchema } from "./errors.ts";

// Crawler options shared by GET /crawl (query) and POST /crawl/jobs (JSON body): where URLs come from and which
// of them may be visited.

/** The most globs in `include`, and in `exclude`. */
export const CRAWL_GLOBS_MAX = 20;

/** `source`: `links`, `sitemaps` or `all` (the default). */
export const CrawlSourceSchema = doc(v.optional(v.picklist(crawlSources), "all"), {
  description:
    "`links`: follow `<a href>`; `sitemaps`: only the URLs the site's sitemaps list (robots.txt `Sitemap:` " +
    "lines, else `/sitemap.xml`; indexes and gzip followed), each at depth 1; `all`: both.",
});

/** One URL glob: `*` any characters but `/`, `**` any characters, everything else literal (`?` too). */
export const CrawlGlobSchema = v.pipe(
  v.string(),
  v.rawCheck(function checkGlob({ dataset, addIssue }) {
    const problem = dataset.typed ? globProblem(dataset.value) : undefined;
    if (problem) addIssue({ message: `the glob ${problem}` });
  }),
);

const globsDescription =
  `Up to ${CRAWL_GLOBS_MAX} URL globs of up to ${GLOB_MAX_LENGTH} characters: \`*\` matches any characters but ` +
  "`/`, `**` any characters, everything else itself (`?` included). A glob starting with `/` is matched " +
  "against the path and query, any other against the whole normalised URL. The start URL is always crawled.";

/**
 * `include` / `exclude` in a JSON body: an array of globs. A function, so that each field gets a schema of
 * its own to document (one schema object documented twice keeps only the last description).
 *
 * @example
 * ```ts
 * const JobOptions = v.object({ include: doc(v.optional(crawlGlobList()), { description: "..." }) });
 * ```
 */
export function crawlGlobList() {
  return v.pipe(v.array(CrawlGlobSchema), v.maxLength(CRAWL_GLOBS_MAX));
}

/**
 * `include` / `exclude` as query parameters: repeated (`include=a&include=b`), one or none; always an array.
 *
 * @example
 * ```ts
 * const Query = v.object({ include: crawlGlobQuery() });
 * ```
 */
export function crawlGlobQuery() {
  return v.optional(
    v.pipe(
      v.union([v.string(), v.array(v.string())]),
      v.metadata<string | string[], SchemaDoc>({ type: "array", items: { type: "string" } }),
      v.transform((globs: string | string[]) => (Array.isArray(globs) ? globs : [globs])),
      crawlGlobList(),
    ),
    [],
  );
}

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
  source: CrawlSourceSchema,
  include: doc(crawlGlobQuery(), {
    description: `${globsDescription} When given, a URL must match one of them to be crawled.`,
    example: ["/docs/**"],
  }),
  exclude: doc(crawlGlobQuery(), {
    description: `${globsDescription} A URL matching one of them is not crawled; exclude wins over include.`,
    example: ["/docs/archive/**"],
  }),
});

/** The fields of one page of a crawl, shared by /crawl's pages and a crawl job's results. */
export const CrawlPageFields = {
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
    description: "How many distinct same-origin links the page has, after normalisation, seen before or not.",
  }),
  ms: v.number(),
  startMs: doc(v.number(), { description: "When it got its slot, in ms since the crawl began." }),
  endMs: v.number(),
  error: v.optional(FetchFailureSchema),
};

/** One page of a crawl, as clients see it; the schema is the type's only definition. */
export const CrawlPageSchema = named("CrawlPage", v.object(CrawlPageFields));

export type CrawlPage = v.InferOutput<typeof CrawlPageSchema>;

/** What reading the sitemaps came to. */
export const CrawlSitemapStatsSchema = v.object({
  read: doc(integer(), { description: "Sitemap files and indexes read." }),
  urls: doc(integer(), { description: "`<loc>` entries read from page sitemaps, kept or not." }),
  errors: doc(integer(), {
    description:
      "Sitemap files that failed: unreachable, 4xx/5xx, over 2 MiB of XML, cut off, not a sitemap, broken " +
      "gzip, or using entity references (never expanded). A site with no `/sitemap.xml` is not an error.",
  }),
  truncated: doc(v.boolean(), {
    description:
      "Whether reading stopped at the cap on entries (4 × maxPages, at least 100, at most 50,000).",
  }),
});

/** A crawl's totals, as clients see them. */
export const CrawlStatsSchema = v.object({
  fetched: doc(integer(), { description: "Pages that answered 2xx or 3xx." }),
  failed: doc(integer(), {
    description: "Pages with an error or a 4xx/5xx status; `fetched + failed` is the number of pages.",
  }),
  skippedByRobots: doc(integer(), {
    description: "Distinct URLs not requested because robots.txt disallows them.",
  }),
  skippedByPattern: doc(integer(), {
    description: "Distinct URLs not requested because of `include` / `exclude` (checked before robots.txt).",
  }),
  sitemaps: CrawlSitemapStatsSchema,
  crawlDelayMs: doc(integer(), {
    description:
      "The robots.txt `Crawl-delay` obeyed for our user agent, in ms (at most 10 s); requests to the " +
      "origin were spaced that far apart. 0 when there is none.",
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
