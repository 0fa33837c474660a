import { createRoute, z } from "@hono/zod-openapi";
import { wrapTime } from "hono/timing";
import { isProduction } from "../env.ts";
import { subrequestBudgetOf } from "../lib/fanout/budget.ts";
import { createFanout, type Fanout, type TimedOutcome } from "../lib/fanout/engine.ts";
import { FetchFailureSchema } from "../lib/fanout/failure.ts";
import { ndjsonResponse, wantsNdjson, withNdjson } from "../lib/fanout/ndjson.ts";
import { guardHop, requireTarget } from "../lib/fanout/target-guard.ts";
import { errorResponses } from "../lib/openapi.ts";
import { createRouter } from "../lib/router.ts";
import { limitBody } from "../middleware/body-limit.ts";

const FetchRequest = z
  .object({
    urls: z
      .array(z.string().min(1).max(2048))
      .min(1)
      .max(50)
      .openapi({ example: ["https://example.com/", "https://example.org/"] }),
    method: z.enum(["GET", "HEAD"]).default("GET"),
    timeoutMs: z.number().int().min(100).max(30_000).default(5000).openapi({
      description: "Deadline of each subrequest (each redirect hop has its own), headers and body included.",
    }),
    concurrency: z.number().int().min(1).max(6).default(6).openapi({
      description: "Most subrequests in flight at once; 6 is the Workers per-request connection limit.",
    }),
  })
  .openapi("FetchRequest");

const FetchResult = z
  .object({
    url: z.string().openapi({ description: "The URL as sent." }),
    ok: z.boolean().openapi({ description: "A 2xx answer with no error." }),
    status: z.number().int().optional(),
    finalUrl: z.string().optional().openapi({ description: "Where redirects ended, when there were any." }),
    headers: z.record(z.string(), z.string()).optional().openapi({
      description:
        "Selected response headers: content-type, content-length, server, etag, cache-control, ...",
    }),
    bytes: z.number().int().optional().openapi({ description: "Body size read (GET only)." }),
    ms: z.number(),
    startMs: z.number().openapi({ description: "When it got its slot, in ms since the fan-out began." }),
    endMs: z.number(),
    error: FetchFailureSchema.optional(),
  })
  .openapi("FetchResult");

const FetchReport = z
  .object({
    results: z.array(FetchResult),
    elapsedMs: z.number().openapi({ description: "Wall time of the whole fan-out." }),
    sumMs: z.number().openapi({ description: "What the same requests would take one after another." }),
    speedup: z.number().openapi({ description: "sumMs / elapsedMs." }),
    maxInFlight: z.number().int(),
    subrequests: z.number().int().openapi({ description: "Subrequests made, redirect hops included." }),
  })
  .openapi("FetchReport");

const fetchRoute = createRoute({
  method: "post",
  path: "/fetch",
  tags: ["Fan-out fetch and crawler"],
  summary: "Fetches up to 50 URLs at once, at most `concurrency` in flight",
  description:
    "Each URL is fetched with manual redirects (at most 5, every hop re-checked by the target guard), a " +
    "deadline per subrequest and at most 2 MiB of body read. A URL that fails (DNS, refused connection, " +
    "timeout, 5xx, too big, budget spent) is reported in its own entry's `error`; the request still answers " +
    "200. A URL the target guard refuses (not http/https, credentials, or in production a loopback, private, " +
    "link-local, CGNAT, metadata or internal address; development allows loopback only) makes the whole " +
    "request a 400 naming it.\n\n" +
    "Subrequests per request are capped at 50 (Workers Free plan), redirect hops included; URLs beyond the " +
    "budget get `subrequest_budget`. On the Paid plan set the `SUBREQUEST_BUDGET` variable (up to 10000).\n\n" +
    "With `Accept: application/x-ndjson` the answer streams one line per URL as it completes, " +
    '`{"type": "result", "index", ...FetchResult}`, then `{"type": "summary", "elapsedMs", "sumMs", ' +
    '"speedup", "maxInFlight", "subrequests"}`.',
  request: {
    body: { required: true, content: { "application/json": { schema: FetchRequest } } },
  },
  responses: {
    200: {
      description: "One entry per URL, in input order (NDJSON: in completion order, with `index`)",
      content: withNdjson(
        { "application/json": { schema: FetchReport } },
        "One JSON object a line: a `result` per URL, then the `summary`.",
      ),
    },
    ...errorResponses(400, 413, 415),
  },
});

const keptHeaders = [
  "content-type",
  "content-length",
  "content-encoding",
  "server",
  "date",
  "last-modified",
  "etag",
  "cache-control",
  "expires",
  "age",
  "location",
  "retry-after",
];

/**
 * POST /fetch: the aiohttp header fetcher, as a bounded fan-out of subrequests.
 *
 * @example
 * ```ts
 * app.route("/", fetchRoutes); // POST /fetch {"urls": ["https://example.com/"]}
 * ```
 */
export const fetchRoutes = createRouter();
// 50 URLs of up to 2 KiB each, plus the options.
fetchRoutes.use("/fetch", limitBody(128 * 1024));
fetchRoutes.openapi(fetchRoute, async (c) => {
  const { urls, method, timeoutMs, concurrency } = c.req.valid("json");
  const guard = { production: isProduction(c.env) };
  // Every URL is judged before any is fetched, so a refused one costs no subrequest at all.
  const targets = urls.map((raw, index) => ({
    raw,
    url: requireTarget(raw, `Body field \`urls.${index}\``, guard),
  }));
  const options = { concurrency, timeoutMs, subrequests: subrequestBudgetOf(c.env) };
  const run = (fanout: Fanout, onResult?: (result: FetchResult, index: number) => void) =>
    Promise.all(
      targets.map(async function fetchTarget({ raw, url }, index) {
        const outcome = await fanout.fetch(url, { method, checkHop: guardHop(guard) });
        const result = toResult(raw, outcome);
        onResult?.(result, index);
        return result;
      }),
    ).then((results) => report(results, fanout));

  if (wantsNdjson(c.req.header("accept"))) {
    return ndjsonResponse(c, async function streamResults(out) {
      const fanout = createFanout({ ...options, signal: out.signal });
      const { results: _, ...summary } = await run(fanout, (result, index) =>
        out.write({ type: "result", index, ...result }),
      );
      return { type: "summary", ...summary };
    });
  }
  return c.json(await wrapTime(c, "fetch", run(createFanout(options))), 200);
});

type FetchResult = z.infer<typeof FetchResult>;

function toResult(url: string, outcome: TimedOutcome): FetchResult {
  const { status, error } = outcome;
  return {
    url,
    ok: !error && status !== undefined && status >= 200 && status < 300,
    ...(status === undefined ? {} : { status }),
    ...(outcome.redirects > 0 ? { finalUrl: outcome.url.href } : {}),
    ...(outcome.headers ? { headers: pickHeaders(outcome.headers) } : {}),
    ...(outcome.bytes === undefined ? {} : { bytes: outcome.bytes }),
    ms: outcome.ms,
    startMs: outcome.startMs,
    endMs: outcome.endMs,
    ...(error ? { error } : {}),
  };
}

function pickHeaders(headers: Headers): Record<string, string> {
  const picked: Record<string, string> = {};
  for (const name of keptHeaders) {
    const value = headers.get(name);
    if (value !== null) picked[name] = value;
  }
  return picked;
}

function report(results: FetchResult[], fanout: Fanout) {
  const elapsedMs = fanout.elapsedMs();
  const sumMs = results.reduce((sum, result) => sum + result.ms, 0);
  const speedup = Math.round((sumMs / Math.max(1, elapsedMs)) * 100) / 100;
  return {
    results,
    elapsedMs,
    sumMs,
    speedup,
    maxInFlight: fanout.maxInFlight,
    subrequests: fanout.subrequests,
  };
}
