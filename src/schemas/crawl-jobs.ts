import * as v from "valibot";
import { CrawlPageFields, CrawlSitemapStatsSchema, CrawlSourceSchema, crawlGlobList } from "./crawl.ts";
import { doc, int, integer, named, queryInt } from "./doc.ts";

/** POST /crawl/jobs's body: GET /crawl's options, with room for bigger and deeper crawls. */
export const CrawlJobRequestSchema = v.object({
  url: doc(v.pipe(v.string(), v.minLength(1), v.maxLength(2048)), { example: "https://example.com/" }),
  maxPages: doc(v.optional(int(1, 10_000), 1000), {
    description:
      "Pages fetched at most, failed ones included; robots.txt, sitemaps and redirects are not pages.",
  }),
  maxDepth: doc(v.optional(int(0, 20), 5), {
    description: "Link distance from the start URL (depth 0; sitemap entries are at depth 1).",
  }),
  concurrency: doc(v.optional(int(1, 6), 6), { description: "Pages in flight at once." }),
  timeoutMs: doc(v.optional(int(100, 30_000), 5000), {
    description: "Deadline of each subrequest (each redirect hop has its own), headers and body included.",
  }),
  include: doc(v.optional(crawlGlobList()), {
    description:
      "URL globs as for GET /crawl; when given, a URL other than the start must match one of them.",
    example: ["/docs/**"],
  }),
  exclude: doc(v.optional(crawlGlobList()), {
    description: "URL globs as for GET /crawl; a URL matching one is not crawled. Exclude wins over include.",
    example: ["/docs/archive/**"],
  }),
  source: CrawlSourceSchema,
});

export type CrawlJobRequest = v.InferOutput<typeof CrawlJobRequestSchema>;

/** A job's options as it runs them: the request with its defaults filled in, `url` kept apart. */
export const CrawlJobOptionsSchema = v.omit(CrawlJobRequestSchema, ["url"]);

export type CrawlJobOptions = v.InferOutput<typeof CrawlJobOptionsSchema>;

/** Where a job stands: `queued` until its first batch, then `running`; it ends `completed`, `cancelled` or `failed`. */
export const crawlJobStatuses = ["queued", "running", "completed", "cancelled", "failed"] as const;

export type CrawlJobStatus = (typeof crawlJobStatuses)[number];

/**
 * A job's tallies: every URL the job ever saw is in exactly one of them, once the job has ended.
 */
export const CrawlJobCountsSchema = v.object({
  queued: doc(integer(), { description: "Waiting to be fetched (or in flight)." }),
  fetched: doc(integer(), { description: "Pages that answered 2xx or 3xx." }),
  failed: doc(integer(), { description: "Pages with an error or a 4xx/5xx answer." }),
  disallowed: doc(integer(), { description: "URLs robots.txt disallows, never requested." }),
  skipped: doc(integer(), {
    description:
      "URLs left out: by the include/exclude globs, or still queued when `maxPages` was reached or the job was cancelled.",
  }),
});

export type CrawlJobCounts = v.InferOutput<typeof CrawlJobCountsSchema>;

/** A crawl job as clients see it. */
export const CrawlJobSchema = named(
  "CrawlJob",
  v.object({
    id: v.string(),
    status: v.picklist(crawlJobStatuses),
    url: v.string(),
    options: CrawlJobOptionsSchema,
    counts: CrawlJobCountsSchema,
    createdAt: v.string(),
    startedAt: v.optional(v.string()),
    finishedAt: v.optional(v.string()),
    elapsedMs: doc(v.number(), { description: "From the first batch to the end (or to now)." }),
    error: doc(v.optional(v.object({ code: v.string(), message: v.string() })), {
      description: "Why a `failed` job stopped, e.g. `robots_unreachable`.",
    }),
    sitemaps: doc(v.optional(CrawlSitemapStatsSchema), {
      description:
        "Once read: files read, `<loc>` entries read, files that failed (unreachable, too large, cut off, not " +
        "XML, entity references) and whether the entry cap stopped the reading.",
    }),
    usage: doc(
      v.object({
        invocations: integer(),
        subrequests: integer(),
        rowsRead: integer(),
        rowsWritten: integer(),
        storedBytes: integer(),
      }),
      {
        description:
          "What the job has cost so far: alarm invocations, subrequests, SQLite rows read and written, and the " +
          "size of its database (the units Durable Objects bill).",
      },
    ),
  }),
);

export type CrawlJob = v.InferOutput<typeof CrawlJobSchema>;

/** The job id in the path. Any string is accepted; one that no job has is a 404. */
export const CrawlJobPathSchema = v.object({
  id: doc(v.string(), { example: "Zk3hX1c2Qm2YcB1r9Tn0pA" }),
});

/** GET /crawl/jobs/{id}/pages's query. */
export const CrawlJobPagesQuerySchema = v.object({
  cursor: doc(
    v.optional(v.pipe(v.string(), v.regex(/^\d{1,15}$/, "must be a nextCursor value from a previous page"))),
    { description: "The `nextCursor` of the previous page." },
  ),
  limit: queryInt(1, 500, 100),
  status: doc(v.optional(v.picklist(["fetched", "failed"])), {
    description: "Only pages that were fetched (2xx/3xx), or only those that failed.",
  }),
});

/** One page of a job's results: a /crawl page, its times counted from the job's start, and when it was fetched. */
export const CrawlJobPageSchema = named(
  "CrawlJobPage",
  v.object({ ...CrawlPageFields, fetchedAt: v.string() }),
);

export type CrawlJobPage = v.InferOutput<typeof CrawlJobPageSchema>;

/** One page of results and the cursor of the next. */
export const CrawlJobPagesSchema = v.object({
  items: v.array(CrawlJobPageSchema),
  nextCursor: doc(v.nullable(v.string()), {
    description:
      "Pass as `cursor` for the next results. Null once the job has ended and every result has been read; " +
      "while it runs, it is where to poll from next (the results only grow at the end).",
  }),
});

export type CrawlJobPages = v.InferOutput<typeof CrawlJobPagesSchema>;

/** The outcomes `status` filters results by. */
export type CrawlJobPageStatus = NonNullable<v.InferOutput<typeof CrawlJobPagesQuerySchema>["status"]>;
