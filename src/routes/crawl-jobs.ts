import { stream } from "hono/streaming";
import { wrapTime } from "hono/timing";
import { Hono } from "hono/tiny";
import { type AppEnv, type Bindings, isProduction } from "../env.ts";
import { ApiError } from "../lib/errors.ts";
import { subrequestBudgetOf } from "../lib/fanout/budget.ts";
import { normalizeUrl } from "../lib/fanout/normalize.ts";
import { requireTarget } from "../lib/fanout/target-guard.ts";
import { NDJSON, prefersNdjson, withNdjson } from "../lib/ndjson.ts";
import { endpoint, errorResponses, jsonResponse, validate } from "../lib/openapi.ts";
import { formBody } from "../middleware/form-body.ts";
import { htmlView } from "../middleware/html-view.ts";
import {
  type CrawlJobPages,
  CrawlJobPagesQuerySchema,
  CrawlJobPagesSchema,
  CrawlJobPathSchema,
  CrawlJobRequestSchema,
  CrawlJobSchema,
} from "../schemas/crawl-jobs.ts";
import { crawlJobPage } from "../views/jobs.ts";

const tags = ["Crawl jobs"];
// Options, two lists of 20 globs of 200 characters, and a 2048-character URL fit well within this.
const MAX_BODY_BYTES = 16 * 1024;
// 128 random bits, base64url: 22 characters.
const JOB_ID = /^[A-Za-z0-9_-]{22}$/;
// Pages an NDJSON answer asks the job for at a time, so the Worker holds one chunk, never the whole result.
const STREAM_CHUNK = 500;

const description =
  "A crawl job is GET /crawl run in the background and durably, for up to 10,000 pages. Each job is one " +
  "Durable Object: its frontier, seen set and results live in the object's SQLite storage, and alarms run " +
  "it one batch at a time, each batch within `SUBREQUEST_BUDGET` subrequests (robots.txt, sitemaps and " +
  "redirect hops count) and `concurrency` (at most 6) pages in flight. A restart in the middle loses nothing: " +
  "the job resumes where it stopped and each page is recorded exactly once (a page whose fetch was cut off is " +
  "fetched once more; after a second cut-off it is recorded as failed with `aborted`). A redirect hop the " +
  "batch's budget cannot cover is queued as a URL of its own. The same target guard, origin rule, robots.txt " +
  "rules (and `Crawl-delay`: one page per batch, batches one delay apart) and 2 MiB body limit as GET /crawl " +
  "apply to every link, sitemap entry and redirect hop. Results are kept 7 days after the job ends, then the " +
  "job deletes itself (404 from then on).";

function jobNotFound(id: string): ApiError {
  return new ApiError("not_found", `Crawl job ${id} does not exist (or ended more than 7 days ago).`);
}

// The job's Durable Object by its public id; a malformed id names no job, so it never reaches one.
function jobOf(env: Bindings, id: string) {
  if (!JOB_ID.test(id)) throw jobNotFound(id);
  return env.CRAWL_JOBS.get(env.CRAWL_JOBS.idFromName(id));
}

function newJobId(): string {
  const bytes = crypto.getRandomValues(new Uint8Array(16));
  return btoa(String.fromCharCode(...bytes))
    .replace(/\+/g, "-")
    .replace(/\//g, "_")
    .replace(/=+$/, "");
}

/** Crawl jobs: durable background crawls of up to 10,000 pages on Durable Objects. */
export const crawlJobRoutes = new Hono<AppEnv>()
  .post(
    "/crawl/jobs",
    endpoint({
      tags,
      summary: "Starts a crawl job",
      description,
      rate: "fanout",
      write: true,
      maxBodyBytes: MAX_BODY_BYTES,
      responses: {
        202: jsonResponse(CrawlJobSchema, "The job, `queued`; `location` names it"),
        ...errorResponses(400, 401, 403, 413, 415),
      },
    }),
    // A browser's form post lands on the new job's page (303 to `location`).
    htmlView(crawlJobPage),
    formBody({
      numbers: ["maxPages", "maxDepth", "concurrency", "timeoutMs"],
      lists: ["include", "exclude"],
    }),
    validate("json", CrawlJobRequestSchema),
    async (c) => {
      const { url, ...options } = c.req.valid("json");
      const production = isProduction(c.env);
      const target = requireTarget(url, "Body field `url`", { production });
      const start = normalizeUrl(target) ?? target;
      const id = newJobId();
      const budget = subrequestBudgetOf(c.env);
      const job = await jobOf(c.env, id).create({ id, url: start.href, options, production, budget });
      c.header("location", `/crawl/jobs/${id}`);
      return c.json(job, 202);
    },
  )
  .get(
    "/crawl/jobs/:id",
    endpoint({
      tags,
      summary: "A crawl job: status, counts and cost so far",
      responses: { 200: jsonResponse(CrawlJobSchema, "The job"), ...errorResponses(404) },
    }),
    htmlView(crawlJobPage),
    validate("param", CrawlJobPathSchema),
    async (c) => {
      const { id } = c.req.valid("param");
      const job = await jobOf(c.env, id).read();
      if (!job) throw jobNotFound(id);
      return c.json(job, 200);
    },
  )
  .get(
    "/crawl/jobs/:id/pages",
    endpoint({
      tags,
      summary: "A crawl job's results, in the order they were recorded",
      description:
        "Keyset-paginated: follow `nextCursor`, which also works while the job runs (results only grow at the " +
        "end). With `Accept: application/x-ndjson`, every result after `cursor` (filtered by `status`) as one " +
        "line, streamed; `limit` then does not apply.",
      responses: {
        200: withNdjson(
          jsonResponse(CrawlJobPagesSchema, "Up to `limit` results"),
          "One CrawlJobPage a line, every result after `cursor`.",
        ),
        ...errorResponses(400, 404),
      },
    }),
    validate("param", CrawlJobPathSchema),
    validate("query", CrawlJobPagesQuerySchema),
    async (c) => {
      const { id } = c.req.valid("param");
      const { cursor, limit, status } = c.req.valid("query");
      const job = jobOf(c.env, id);
      const streaming = prefersNdjson(c);
      const after = Number(cursor ?? 0);
      const first = await wrapTime(c, "sql", job.pages(after, streaming ? STREAM_CHUNK : limit, status));
      if (!first) throw jobNotFound(id);
      if (!streaming) return c.json(first, 200);
      c.header("content-type", NDJSON);
      return stream(c, async function streamPages(out) {
        let chunk: CrawlJobPages | null = first;
        while (chunk) {
          for (const page of chunk.items) await out.write(`${JSON.stringify(page)}\n`);
          if (chunk.items.length < STREAM_CHUNK || chunk.nextCursor === null) return;
          chunk = await job.pages(Number(chunk.nextCursor), STREAM_CHUNK, status);
        }
      });
    },
  )
  .delete(
    "/crawl/jobs/:id",
    endpoint({
      tags,
      summary: "Cancels a crawl job",
      description:
        "No page starts after this; pages already in flight are still recorded, queued URLs count as `skipped`. " +
        "A job that has ended keeps its status, so cancelling twice answers the same job.",
      write: true,
      responses: {
        200: jsonResponse(CrawlJobSchema, "The job, `cancelled` unless it had already ended"),
        ...errorResponses(401, 403, 404),
      },
    }),
    validate("param", CrawlJobPathSchema),
    async (c) => {
      const { id } = c.req.valid("param");
      const job = await jobOf(c.env, id).cancel();
      if (!job) throw jobNotFound(id);
      return c.json(job, 200);
    },
  );
