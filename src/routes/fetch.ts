import { wrapTime } from "hono/timing";
import { Hono } from "hono/tiny";
import { type AppEnv, isProduction } from "../env.ts";
import { subrequestBudgetOf } from "../lib/fanout/budget.ts";
import { createFanout, type Fanout, type TimedOutcome } from "../lib/fanout/engine.ts";
import { guardHop, requireTarget } from "../lib/fanout/target-guard.ts";
import { prefersNdjson, streamNdjson, withNdjson } from "../lib/ndjson.ts";
import { endpoint, errorResponses, jsonResponse, validate } from "../lib/openapi.ts";
import { formBody } from "../middleware/form-body.ts";
import { htmlView } from "../middleware/html-view.ts";
import { FetchReportSchema, FetchRequestSchema, type FetchResult } from "../schemas/fetch.ts";
import { fetchPage } from "../views/fanout.ts";

const description =
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
  '"speedup", "maxInFlight", "subrequests"}`.';

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

/** POST /fetch: the aiohttp header fetcher, as a bounded fan-out of subrequests. */
export const fetchRoutes = new Hono<AppEnv>().post(
  "/fetch",
  endpoint({
    tags: ["Fan-out fetch and crawler"],
    summary: "Fetches up to 50 URLs at once, at most `concurrency` in flight",
    description,
    // A POST that reads the web: it spends the fan-out budget, and needs no token.
    rate: "fanout",
    // 50 URLs of up to 2 KiB each, plus the options.
    maxBodyBytes: 128 * 1024,
    responses: {
      200: withNdjson(
        jsonResponse(
          FetchReportSchema,
          "One entry per URL, in input order (NDJSON: in completion order, with `index`)",
        ),
        "One JSON object a line: a `result` per URL, then the `summary`.",
      ),
      ...errorResponses(400, 413, 415),
    },
  }),
  htmlView(fetchPage),
  // The landing page's form posts here; `urls` is a textarea, one URL a line.
  formBody({ lists: ["urls"], numbers: ["timeoutMs", "concurrency"] }),
  validate("json", FetchRequestSchema),
  async (c) => {
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

    if (prefersNdjson(c)) {
      return streamNdjson(c, async function streamResults(out) {
        const fanout = createFanout({ ...options, signal: out.signal });
        const { results: _, ...summary } = await run(fanout, (result, index) =>
          out.write({ type: "result", index, ...result }),
        );
        return { type: "summary", ...summary };
      });
    }
    return c.json(await wrapTime(c, "fetch", run(createFanout(options))), 200);
  },
);

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
