import { z } from "@hono/zod-openapi";
import { FetchFailureSchema } from "../lib/fanout/failure.ts";
import { robotsSources } from "../lib/fanout/robots.ts";

/**
 * One page of a crawl, as clients see it; the schema is the type's only definition.
 *
 * @example
 * ```ts
 * const Page = CrawlPageSchema.extend({ type: z.literal("page") });
 * ```
 */
export const CrawlPageSchema = z
  .object({
    url: z.string(),
    depth: z.number().int(),
    status: z.number().int().optional(),
    redirectedTo: z
      .string()
      .optional()
      .openapi({
        description:
          "Where redirects ended, when there were any: the last URL requested, which the page's links resolve " +
          "against; or a redirect target the crawl had already seen (crawled or queued), which is not requested " +
          "again: that entry keeps the redirect's 3xx `status`, with no `error`, no `title` and 0 `links`.",
      }),
    title: z.string().optional(),
    links: z.number().int().openapi({
      description:
        "How many distinct same-origin links the page has, after normalisation, seen before or not.",
    }),
    ms: z.number(),
    startMs: z.number().openapi({ description: "When it got its slot, in ms since the crawl began." }),
    endMs: z.number(),
    error: FetchFailureSchema.optional(),
  })
  .openapi("CrawlPage");

export type CrawlPage = z.infer<typeof CrawlPageSchema>;

/**
 * A crawl's totals, as clients see them.
 *
 * @example
 * ```ts
 * const Summary = z.object({ start: z.string(), stats: CrawlStatsSchema });
 * ```
 */
export const CrawlStatsSchema = z.object({
  fetched: z.number().int().openapi({ description: "Pages that answered 2xx or 3xx." }),
  failed: z.number().int().openapi({
    description: "Pages with an error or a 4xx/5xx status; `fetched + failed` is the number of pages.",
  }),
  skippedByRobots: z
    .number()
    .int()
    .openapi({ description: "Distinct URLs not requested because robots.txt disallows them." }),
  maxInFlight: z.number().int().openapi({ description: "The peak number of subrequests in flight." }),
  subrequests: z
    .number()
    .int()
    .openapi({ description: "Subrequests made, robots.txt and redirects included." }),
  budgetExhausted: z.boolean().openapi({ description: "Whether the subrequest budget cut the crawl short." }),
  robots: z.enum(robotsSources).openapi({
    description:
      "`file`: robots.txt was read and obeyed; `none`: there is none (4xx), so all is allowed; " +
      "`unreachable`: it failed (5xx, timeout, network), so nothing is crawled, as RFC 9309 asks.",
  }),
});

export type CrawlStats = z.infer<typeof CrawlStatsSchema>;

/**
 * What `crawl` answers, and GET /crawl's JSON body.
 *
 * @example
 * ```ts
 * const content = { "application/json": { schema: CrawlReportSchema } };
 * ```
 */
export const CrawlReportSchema = z
  .object({
    start: z.string(),
    pages: z.array(CrawlPageSchema),
    elapsedMs: z.number(),
    stats: CrawlStatsSchema,
  })
  .openapi("CrawlReport");

export type CrawlReport = z.infer<typeof CrawlReportSchema>;
