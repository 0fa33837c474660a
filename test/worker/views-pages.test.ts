/**
 * The pages and the negotiation in workerd, on a router of their own: which clients get a page, that the page is
 * drawn from the route's JSON (errors included), and that crawled text never becomes markup.
 */
import { Hono } from "hono";
import { describe, expect, it } from "vitest";
import type { AppEnv } from "../../src/env.ts";
import { ApiError } from "../../src/lib/errors.ts";
import { handleError } from "../../src/middleware/errors.ts";
import { formBody } from "../../src/middleware/form-body.ts";
import { htmlView, PAGE_CSP } from "../../src/middleware/html-view.ts";
import type { CrawlReport } from "../../src/schemas/crawl.ts";
import type { CrawlJob } from "../../src/schemas/crawl-jobs.ts";
import { crawlPage } from "../../src/views/fanout.ts";
import { crawlJobPage } from "../../src/views/jobs.ts";

const report: CrawlReport = {
  start: "http://site.test/",
  elapsedMs: 40,
  stats: {
    fetched: 1,
    failed: 1,
    skippedByRobots: 0,
    skippedByPattern: 0,
    sitemaps: { read: 0, urls: 0, errors: 0, truncated: false },
    crawlDelayMs: 0,
    maxInFlight: 2,
    subrequests: 3,
    budgetExhausted: false,
    robots: "none",
  },
  pages: [
    {
      url: "http://site.test/",
      depth: 0,
      status: 200,
      title: "<script>alert(1)</script>",
      links: 1,
      ms: 20,
      startMs: 0,
      endMs: 20,
    },
    {
      url: `http://site.test/a"b'c`,
      depth: 1,
      links: 0,
      ms: 15,
      startMs: 20,
      endMs: 35,
      error: { code: "timeout", message: "No answer within 5000 ms." },
    },
  ],
};

function job(status: CrawlJob["status"]): CrawlJob {
  return {
    id: "job-1",
    status,
    url: "http://site.test/",
    counts: { queued: 3, fetched: 5, failed: 1, disallowed: 0, skipped: 1 },
    options: { maxPages: 100, maxDepth: 5, concurrency: 6, timeoutMs: 5000, source: "all" },
    createdAt: "2026-12-01T00:00:00.000Z",
    elapsedMs: 1200,
    usage: { invocations: 3, subrequests: 9, rowsRead: 40, rowsWritten: 30, storedBytes: 8192 },
  };
}

// A route that answers like the real ones: JSON by default, the API error shape through the app's error handler.
const app = new Hono<AppEnv>()
  .get("/crawl", htmlView(crawlPage), (c) => {
    if (c.req.query("fail")) throw new ApiError("backend_unavailable", "The crawler is down <b>today</b>.");
    return c.json(report);
  })
  .post("/jobs", htmlView(crawlJobPage), formBody({ numbers: ["maxPages"] }), async (c) => {
    const body = await c.req.json();
    return c.json({ ...job("queued"), received: body }, 202, { location: "/jobs/job-1" });
  });
app.onError(handleError);

function get(path: string, accept?: string) {
  return app.request(path, { headers: accept ? { accept } : {} });
}

describe("content negotiation", () => {
  it("keeps JSON for curl, for Accept: application/json, and when JSON is listed first", async () => {
    for (const accept of [undefined, "*/*", "application/json", "application/json, text/html"]) {
      const response = await get("/crawl", accept);
      expect(response.headers.get("content-type"), String(accept)).toMatch(/^application\/json/);
      expect(response.headers.get("vary")).toContain("Accept");
    }
  });

  it("gives a browser the page, with the same data and a CSP allowing only our origin", async () => {
    const response = await get("/crawl", "text/html,application/xhtml+xml,*/*;q=0.8");
    expect(response.status).toBe(200);
    expect(response.headers.get("content-type")).toBe("text/html; charset=utf-8");
    expect(response.headers.get("content-security-policy")).toBe(PAGE_CSP);
    expect(PAGE_CSP).not.toMatch(/https?:|\*/);
    const page = await response.text();
    expect(page.match(/<rect class="bar/g)).toHaveLength(2);
    expect(page).toContain("<td>http://site.test/a&quot;b&#39;c</td>");
  });

  it("renders an error answer as a page that shows the error, keeping its status", async () => {
    const response = await get("/crawl?fail=1", "text/html");
    expect(response.status).toBe(503);
    const page = await response.text();
    expect(page).toContain(
      "<strong>backend_unavailable</strong>: The crawler is down &lt;b&gt;today&lt;/b&gt;.",
    );
    expect(page).not.toContain("<b>");
  });

  it("sends a browser that created a resource to its page with 303", async () => {
    const response = await app.request("/jobs", {
      method: "POST",
      headers: { accept: "text/html", "content-type": "application/json" },
      body: JSON.stringify({ url: "http://site.test/" }),
    });
    expect(response.status).toBe(303);
    expect(response.headers.get("location")).toBe("/jobs/job-1");
  });
});

describe("plain forms posting to JSON routes", () => {
  const form = (headers: Record<string, string>) =>
    app.request("http://worker.test/jobs", {
      method: "POST",
      headers: { "content-type": "application/x-www-form-urlencoded", ...headers },
      body: "url=http%3A%2F%2Fsite.test%2F&maxPages=7&maxDepth=",
    });

  it("turns a same-origin form into the JSON body, numbers as numbers and empty fields left out", async () => {
    // Browsers on our pages (no-referrer) send Origin: null with Sec-Fetch-Site; other clients name the origin.
    const sameSite: Record<string, string>[] = [
      { origin: "null", "sec-fetch-site": "same-origin" },
      { origin: "http://worker.test" },
    ];
    for (const headers of sameSite) {
      const response = await form(headers);
      expect(response.status).toBe(202);
      expect(((await response.json()) as { received: unknown }).received).toEqual({
        url: "http://site.test/",
        maxPages: 7,
      });
    }
  });

  it("refuses a form posted from another site", async () => {
    const otherSite: Record<string, string>[] = [
      { origin: "http://evil.test", "sec-fetch-site": "cross-site" },
      { origin: "null" },
      {},
    ];
    for (const headers of otherSite) {
      const response = await form(headers);
      expect(response.status).toBe(415);
      expect(await response.json()).toMatchObject({ error: { code: "unsupported_media_type" } });
    }
  });
});

describe("pages", () => {
  it("escapes crawled titles and URLs everywhere: table, labels and tooltips", async () => {
    const page = String(await crawlPage(report, `http://worker.test/crawl?url="x"`));
    expect(page).not.toContain("<script>");
    expect(page.match(/&lt;script&gt;alert\(1\)&lt;\/script&gt;/g)?.length).toBeGreaterThanOrEqual(2);
    expect(page).not.toMatch(/a"b'c/);
    // The timed-out page is drawn in the timeout colour, with its reason in the tooltip.
    expect(page).toMatch(
      /<rect class="bar timeout"[^>]*><title>\/a&quot;b&#39;c: 20–35 ms \(15 ms\), timeout: timeout: No answer/,
    );
  });

  it("refreshes a running crawl job's page, and stops once the job has ended", async () => {
    const running = String(await crawlJobPage(job("running"), "http://worker.test/crawl/jobs/job-1"));
    expect(running).toContain('<meta http-equiv="refresh" content="2">');
    expect(running).toContain('<progress max="10" value="7">');
    const finished = job("completed");
    const done = String(await crawlJobPage({ ...finished, counts: { ...finished.counts, queued: 0 } }, "/"));
    expect(done).not.toContain("http-equiv");
    expect(done).toContain('data-status="completed"');
  });

  it("shows a failed job's error", async () => {
    const error = { code: "robots_unreachable", message: "robots.txt was unreachable" };
    const failed = String(await crawlJobPage({ ...job("failed"), error }, "/"));
    expect(failed).toContain('role="alert"');
    expect(failed).toContain("robots.txt was unreachable");
  });
});
