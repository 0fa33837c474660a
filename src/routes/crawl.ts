import { wrapTime } from "hono/timing";
import { Hono } from "hono/tiny";
import { type AppEnv, isProduction } from "../env.ts";
import { subrequestBudgetOf } from "../lib/fanout/budget.ts";
import { crawl } from "../lib/fanout/crawler.ts";
import { createFanout, type FanoutOptions } from "../lib/fanout/engine.ts";
import { normalizeUrl } from "../lib/fanout/normalize.ts";
import { requireTarget } from "../lib/fanout/target-guard.ts";
import { prefersNdjson, streamNdjson, withNdjson } from "../lib/ndjson.ts";
import { endpoint, errorResponses, jsonResponse, validate } from "../lib/openapi.ts";
import { htmlView } from "../middleware/html-view.ts";
import { type CrawlPage, CrawlQuerySchema, type CrawlReport, CrawlReportSchema } from "../schemas/crawl.ts";
import { crawlPage } from "../views/fanout.ts";

const description =
  "Stays on the start URL's origin, reads robots.txt once and obeys it (user agent `edge-async-patterns`, its " +
  "rules and its `Crawl-delay`, up to 10 s between requests), parses only `text/html`, reads at most 2 MiB a " +
  "body, follows at most 5 redirects by hand, each hop re-checked by the target guard, kept on the origin and " +
  "checked against robots.txt. Links are read as a browser reads them: `href` and `<base href>` with their " +
  "character references decoded by the HTML standard's attribute rules, resolved against `<base href>` " +
  "(itself resolved against the page), protocol-relative links included; titles decoded the same way. URLs " +
  "are deduplicated after normalisation: fragment dropped, host lowercased, default port removed, empty query " +
  "removed; a trailing slash is significant (`/a` and `/a/` are different pages, but a redirect from one to " +
  "the other is not fetched twice).\n\n" +
  "`source` picks where URLs come from: `links`, `sitemaps` (robots.txt `Sitemap:` lines, else `/sitemap.xml`; " +
  "indexes and gzip followed; at most 20 files and 4 × `maxPages` entries read; broken files counted in " +
  "`stats.sitemaps.errors`), or `all`. `include` / `exclude` (repeat the parameter for several) filter every " +
  "URL but the start URL.\n\n" +
  "Redirect targets count as seen: each is marked before it is requested, and a redirect to a URL already " +
  "seen (crawled, or queued to be) is not followed. That page's entry then keeps the redirect's 3xx " +
  "`status` with `redirectedTo` naming the target, no `error`, no `title` and 0 `links`, and counts as " +
  "fetched; the target is requested at most once, in its own entry or in the entry whose redirect reached it " +
  "first. A redirect back to a URL of its own chain is a loop, followed until `too_many_redirects`.\n\n" +
  "No barrier between depths: a page's links are queued as soon as it completes and every free slot takes " +
  "the shallowest URL waiting. A URL of depth d waits only while a page of depth d − 2 or less is still " +
  "loading (it could yet find URLs shallower than d), so when `maxPages` cuts a crawl short no URL left out " +
  "is shallower than a page kept, and each page's `depth` is its true link distance. `pages` is listed by " +
  "depth, and within a depth in the order a level-by-level crawl finds them (the previous depth's pages in " +
  "this order, each one's links in document order; sitemap entries not linked from there after them), " +
  "whatever order the pages completed in. A failing page is reported in its own entry; a refused start URL " +
  "is a 400.\n\n" +
  "Subrequests per request are capped at 50 (Workers Free plan), robots.txt, sitemaps and redirects " +
  "included; when they run out the remaining pages get `subrequest_budget` and `stats.budgetExhausted` is " +
  "true. On the Paid plan set the `SUBREQUEST_BUDGET` variable (up to 10000) to allow bigger crawls.\n\n" +
  'With `Accept: application/x-ndjson` the answer streams `{"type": "page", ...CrawlPage}` per page as ' +
  'it completes, then `{"type": "summary", "start", "elapsedMs", "stats"}`.';

/** GET /crawl: the aiohttp crawler, bounded, polite and kept off private networks. */
export const crawlRoutes = new Hono<AppEnv>().get(
  "/crawl",
  endpoint({
    tags: ["Fan-out fetch and crawler"],
    summary: "Crawls one site from its links and sitemaps, shallowest first, politely and within bounds",
    description,
    rate: "fanout",
    responses: {
      200: withNdjson(
        jsonResponse(CrawlReportSchema, "The pages, by depth, then in level-by-level discovery order"),
        "One JSON object a line: a `page` as each completes, then the `summary`.",
      ),
      ...errorResponses(400),
    },
  }),
  htmlView(crawlPage),
  validate("query", CrawlQuerySchema),
  async (c) => {
    const { url, maxPages, maxDepth, concurrency, timeoutMs, source, include, exclude } =
      c.req.valid("query");
    const production = isProduction(c.env);
    const target = requireTarget(url, "Query parameter `url`", { production });
    const start = normalizeUrl(target) ?? target;
    const options: FanoutOptions = { concurrency, timeoutMs, subrequests: subrequestBudgetOf(c.env) };
    const crawlWith = (fanout: FanoutOptions, onPage?: (page: CrawlPage) => void) =>
      crawl({
        start,
        maxPages,
        maxDepth,
        production,
        source,
        include,
        exclude,
        fanout: createFanout(fanout),
        onPage,
      });

    if (prefersNdjson(c)) {
      return streamNdjson(c, async function streamPages(out) {
        const report = await crawlWith({ ...options, signal: out.signal }, (page) =>
          out.write({ type: "page", ...page }),
        );
        return { type: "summary", ...summaryOf(report) };
      });
    }
    return c.json(await wrapTime(c, "fetch", crawlWith(options)), 200);
  },
);

function summaryOf({ pages: _, ...summary }: CrawlReport) {
  return summary;
}
