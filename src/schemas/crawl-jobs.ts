import { crawlSources } from "../lib/fanout/crawler.ts";
import { globProblem } from "../lib/fanout/patterns.ts";
import type { CrawlPage } from "./crawl.ts";
import { z } from "./z.ts";

// A glob `compilePatterns` can use; the 400 quotes why one cannot.
const GlobSchema = z.string().check(
  z.superRefine(function checkGlob(glob, ctx) {
    const problem = globProblem(glob);
    if (problem) ctx.addIssue({ code: "custom", message: `The glob ${problem}`, input: glob });
  }),
);

/**
 * POST /crawl/jobs's body: the crawl options of GET /crawl, with room for bigger and deeper crawls.
 *
 * @example
 * ```ts
 * const options = CrawlJobRequestSchema.parse({ url: "https://example.com/" }); // maxPages 1000, maxDepth 5
 * ```
 */
export const CrawlJobRequestSchema = z.object({
  url: z.string().check(z.minLength(1), z.maxLength(2048)),
  maxPages: z._default(z.int().check(z.minimum(1), z.maximum(10_000)), 1000),
  maxDepth: z._default(z.int().check(z.minimum(0), z.maximum(20)), 5),
  concurrency: z._default(z.int().check(z.minimum(1), z.maximum(6)), 6),
  timeoutMs: z._default(z.int().check(z.minimum(100), z.maximum(30_000)), 5000),
  include: z.optional(z.array(GlobSchema).check(z.maxLength(20))),
  exclude: z.optional(z.array(GlobSchema).check(z.maxLength(20))),
  source: z._default(z.enum(crawlSources), "all"),
});

export type CrawlJobRequest = z.infer<typeof CrawlJobRequestSchema>;

/**
 * A job's options as it runs them: the request with its defaults filled in, `url` kept apart.
 *
 * @example
 * ```ts
 * const Job = z.object({ url: z.string(), options: CrawlJobOptionsSchema });
 * ```
 */
export const CrawlJobOptionsSchema = z.omit(CrawlJobRequestSchema, { url: true });

export type CrawlJobOptions = z.infer<typeof CrawlJobOptionsSchema>;

/**
 * Where a job stands: `queued` until its first batch runs, then `running`; it ends `completed`, `cancelled`
 * or `failed`.
 *
 * @example
 * ```ts
 * const Status = z.enum(crawlJobStatuses);
 * ```
 */
export const crawlJobStatuses = ["queued", "running", "completed", "cancelled", "failed"] as const;

export type CrawlJobStatus = (typeof crawlJobStatuses)[number];

/**
 * A job's tallies. Every URL the job ever saw is in exactly one of them: waiting, fetched (2xx/3xx),
 * failed, disallowed by robots.txt, or skipped (left when `maxPages` was reached or the job was cancelled).
 *
 * @example
 * ```ts
 * const done = counts.fetched + counts.failed;
 * ```
 */
export const CrawlJobCountsSchema = z.object({
  queued: z.int(),
  fetched: z.int(),
  failed: z.int(),
  disallowed: z.int(),
  skipped: z.int(),
});

export type CrawlJobCounts = z.infer<typeof CrawlJobCountsSchema>;

/**
 * A crawl job as clients see it. `usage` is what the job has cost so far: invocations (alarms), subrequests,
 * and SQLite rows read and written, the units Durable Objects bill.
 *
 * @example
 * ```ts
 * const content = { "application/json": { schema: CrawlJobSchema } };
 * ```
 */
export const CrawlJobSchema = z.object({
  id: z.string(),
  status: z.enum(crawlJobStatuses),
  url: z.string(),
  options: CrawlJobOptionsSchema,
  counts: CrawlJobCountsSchema,
  createdAt: z.string(),
  startedAt: z.optional(z.string()),
  finishedAt: z.optional(z.string()),
  elapsedMs: z.number(),
  error: z.optional(z.object({ code: z.string(), message: z.string() })),
  sitemaps: z.optional(z.object({ read: z.int(), urls: z.int(), errors: z.int(), truncated: z.boolean() })),
  usage: z.object({
    invocations: z.int(),
    subrequests: z.int(),
    rowsRead: z.int(),
    rowsWritten: z.int(),
  }),
});

export type CrawlJob = z.infer<typeof CrawlJobSchema>;

/** One page of a job's results: a /crawl page, its times counted from the job's start, and when it was fetched. */
export type CrawlJobPage = CrawlPage & { fetchedAt: string };
