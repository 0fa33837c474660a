import { describe, expect, it } from "vitest";
import type { CrawlPage, CrawlReport } from "../../src/schemas/crawl.ts";
import { call, expectError } from "./support.ts";
import { ndjsonLines, newSite, type TestSite } from "./test-site.ts";

type Page = CrawlPage;
type Report = CrawlReport;

async function crawl(
  site: TestSite,
  path: string,
  params: Record<string, string | number | string[]> = {},
  overrides = {},
) {
  const query = new URLSearchParams({ url: `${site.url}${path}` });
  for (const [name, value] of Object.entries(params)) {
    for (const one of Array.isArray(value) ? value : [value]) query.append(name, String(one));
  }
  const response = await call(`/crawl?${query}`, {}, overrides);
  expect(response.status).toBe(200);
  return (await response.json()) as Report;
}

// Paths relative to the site, so expectations read like the site map in fixtures/site/server.ts.
function paths(site: TestSite, pages: Page[]) {
  return pages.map((page) => page.url.replace(site.url, ""));
}

describe("GET /crawl", () => {
  it("finds every reachable allowed page exactly once, breadth-first", async () => {
    const site = await newSite();
    const body = await crawl(site, "/site/", { maxDepth: 5, maxPages: 50 });
    expect(body.start).toBe(`${site.url}/site/`);
    expect(body.pages.map((page) => [page.url.replace(site.url, ""), page.depth])).toEqual([
      ["/site/", 0],
      ["/site/about.html", 1],
      ["/site/docs/", 1],
      ["/site/docs/a.html", 1],
      ["/site/data.json", 1],
      ["/site/missing.html", 1],
      ["/site/broken.html", 1],
      ["/site/moved", 1],
      ["/site/docs/base/b.html", 2],
      ["/site/docs/deep/c.html", 2],
      ["/site/landing-next.html", 2],
      ["/site/docs/deep/d.html", 3],
    ]);
    expect(body.stats).toMatchObject({ fetched: 10, failed: 2, skippedByRobots: 2, robots: "file" });
  });

  it("reports titles, link counts, statuses and failures per page", async () => {
    const site = await newSite();
    const body = await crawl(site, "/site/", { maxDepth: 1 });
    const byPath = new Map(body.pages.map((page) => [page.url.replace(site.url, ""), page]));
    // Ten distinct same-origin links: fragments, `./`, `#top`, "" and the capitalised absolute URL collapse;
    // mailto:, javascript: and the other origin do not count.
    expect(byPath.get("/site/")).toMatchObject({ status: 200, title: "Home & index", links: 10 });
    expect(byPath.get("/site/docs/")).toMatchObject({ title: "Docs", links: 2 });
    expect(byPath.get("/site/missing.html")).toMatchObject({ status: 404, links: 0 });
    expect(byPath.get("/site/missing.html")).not.toHaveProperty("error");
    expect(byPath.get("/site/broken.html")).toMatchObject({ status: 500, error: { code: "upstream_error" } });
    expect(byPath.get("/site/moved")).toMatchObject({
      status: 200,
      redirectedTo: `${site.url}/site/landing.html`,
      title: "Landing",
      links: 1,
    });
    for (const page of body.pages) expect(page.endMs - page.startMs).toBe(page.ms);
  });

  it("reads robots.txt once and never requests what it disallows, nor links in non-HTML files", async () => {
    const site = await newSite();
    await crawl(site, "/site/", { maxDepth: 5, maxPages: 50 });
    const { requests } = await site.stats();
    expect(requests.filter((line) => line === "GET /robots.txt")).toHaveLength(1);
    expect(requests).not.toContain("GET /site/secret.html");
    expect(requests).not.toContain("GET /private/report.html");
    expect(requests).not.toContain("GET /site/never.html");
    // Everything requested, requested once: dedupe held across spellings and across the redirect.
    expect(new Set(requests).size).toBe(requests.length);
    // 12 pages, the redirect's target, robots.txt, and /sitemap.xml (a 404: this site has no sitemap).
    expect(requests).toHaveLength(15);
    expect(requests).toContain("GET /sitemap.xml");
  });

  it("asks for HTML, so a server that negotiates content answers with its links", async () => {
    const site = await newSite();
    const body = await crawl(site, "/negotiated/", { maxDepth: 0 });
    expect(body.pages[0]).toMatchObject({ status: 200, title: "Negotiated", links: 1 });
  });

  it("does not follow a redirect to a page already crawled or queued, and requests that page once", async () => {
    const site = await newSite();
    const body = await crawl(site, "/dup/docs/", { maxDepth: 5 });
    expect(paths(site, body.pages)).toEqual(["/dup/docs/", "/dup/docs", "/dup/b", "/dup/alias"]);
    const byPath = new Map(body.pages.map((page) => [page.url.replace(site.url, ""), page]));
    // `/dup/docs` redirects to the start page (crawled), `/dup/alias` to `/dup/b` (queued in the same level).
    const redirects: [string, string][] = [
      ["/dup/docs", "/dup/docs/"],
      ["/dup/alias", "/dup/b"],
    ];
    for (const [from, to] of redirects) {
      const page = byPath.get(from);
      expect(page).toMatchObject({ depth: 1, status: 301, redirectedTo: `${site.url}${to}`, links: 0 });
      expect(page).not.toHaveProperty("error");
      expect(page).not.toHaveProperty("title");
    }
    expect(body.stats).toMatchObject({ fetched: 4, failed: 0, subrequests: 6 });

    const { requests } = await site.stats();
    expect(requests.filter((line) => line === "GET /dup/docs/")).toHaveLength(1);
    expect(requests.filter((line) => line === "GET /dup/b")).toHaveLength(1);
    expect([...requests].sort()).toEqual([
      "GET /dup/alias",
      "GET /dup/b",
      "GET /dup/docs",
      "GET /dup/docs/",
      "GET /robots.txt",
      "GET /sitemap.xml",
    ]);
  });

  it("requests a new redirect target once when two pages of one level redirect to it at once", async () => {
    const site = await newSite();
    const body = await crawl(site, "/dup/twins/", { maxDepth: 5 });
    expect(paths(site, body.pages)).toEqual(["/dup/twins/", "/dup/old-1", "/dup/old-2"]);
    const twins = body.pages.filter((page) => page.depth === 1);
    expect(twins.map((page) => page.redirectedTo)).toEqual([`${site.url}/dup/new`, `${site.url}/dup/new`]);
    // Whichever redirect answered first followed it; the other stopped at its 301 without a request.
    const followed = twins.filter((page) => page.status === 200);
    const stopped = twins.filter((page) => page.status === 301);
    expect(followed).toHaveLength(1);
    expect(followed[0]).toMatchObject({ title: "New home", links: 2 });
    expect(stopped).toHaveLength(1);
    expect(stopped[0]).toMatchObject({ links: 0 });
    expect(stopped[0]).not.toHaveProperty("error");
    expect(body.stats).toMatchObject({ fetched: 3, failed: 0, subrequests: 6 });

    const { requests } = await site.stats();
    expect(requests.filter((line) => line === "GET /dup/new")).toHaveLength(1);
    expect([...requests].sort()).toEqual([
      "GET /dup/new",
      "GET /dup/old-1",
      "GET /dup/old-2",
      "GET /dup/twins/",
      "GET /robots.txt",
      "GET /sitemap.xml",
    ]);
  });

  it("reports a start URL that robots.txt disallows as skipped, without requesting it", async () => {
    const site = await newSite();
    const body = await crawl(site, "/robots-blocked/page.html");
    expect(body.pages).toEqual([]);
    expect(body.stats).toMatchObject({ fetched: 0, failed: 0, skippedByRobots: 1 });
    // The sitemaps are still read (source `all`): a site may list pages its start URL cannot reach.
    expect((await site.stats()).requests).toEqual(["GET /robots.txt", "GET /sitemap.xml"]);
  });

  it("crawls everything when the site has no robots.txt", async () => {
    const site = await newSite(404);
    const body = await crawl(site, "/site/", { maxDepth: 1 });
    expect(body.stats).toMatchObject({ robots: "none", skippedByRobots: 0 });
    expect(paths(site, body.pages)).toContain("/site/secret.html");
    expect(paths(site, body.pages)).toContain("/private/report.html");
  });

  it("crawls nothing when robots.txt fails with a 5xx, as RFC 9309 asks", async () => {
    const site = await newSite(503);
    const body = await crawl(site, "/site/");
    expect(body.pages).toEqual([]);
    expect(body.stats).toMatchObject({ robots: "unreachable", skippedByRobots: 1 });
    expect((await site.stats()).requests).toEqual(["GET /robots.txt"]);
  });

  it.each([0, 1, 3])("stops at maxDepth=%i exactly", async (maxDepth) => {
    const site = await newSite();
    const body = await crawl(site, "/chain/0", { maxDepth });
    const expected = Array.from({ length: maxDepth + 1 }, (_, i) => `/chain/${i}`);
    expect(paths(site, body.pages)).toEqual(expected);
    expect(body.pages.map((page) => page.depth)).toEqual(expected.map((_, i) => i));
    const { requests } = await site.stats();
    expect(requests).not.toContain(`GET /chain/${maxDepth + 1}`);
  });

  it.each([1, 4, 7])("fetches maxPages=%i pages exactly, the first ones discovered", async (maxPages) => {
    const site = await newSite();
    const body = await crawl(site, "/grid/10/0/", { maxPages });
    const expected = [
      "/grid/10/0/",
      ...Array.from({ length: maxPages - 1 }, (_, i) => `/grid/10/0/${i + 1}`),
    ];
    expect(paths(site, body.pages)).toEqual(expected);
    const { requests } = await site.stats();
    // The sitemap is read alongside the pages, so its place in the log varies; the pages' does not.
    expect(requests.filter((line) => line !== "GET /sitemap.xml")).toEqual([
      "GET /robots.txt",
      ...expected.map((path) => `GET ${path}`),
    ]);
    expect(requests).toContain("GET /sitemap.xml");
  });

  it("keeps at most `concurrency` requests in flight and reports the peak it reached", async () => {
    const site = await newSite();
    const body = await crawl(site, "/grid/13/100/", { maxDepth: 1, concurrency: 3 });
    expect(body.pages).toHaveLength(13);
    expect(body.stats.maxInFlight).toBe(3);
    expect((await site.stats()).peak).toBeLessThanOrEqual(3);
    // The index, then twelve 100 ms pages in four waves of three: 500 ms (all at once would take 200).
    expect(body.elapsedMs).toBeGreaterThanOrEqual(450);
  });

  it("crawls the 48-page benchmark site within six connections", async () => {
    const site = await newSite();
    const body = await crawl(site, "/grid/48/100/", { maxDepth: 1, maxPages: 48 });
    expect(body.pages).toHaveLength(48);
    expect(body.stats).toMatchObject({ fetched: 48, failed: 0, maxInFlight: 6, subrequests: 50 });
    expect((await site.stats()).peak).toBeLessThanOrEqual(6);
  });

  it("reports each failing page in its own entry and carries on", async () => {
    const site = await newSite();
    // A second is far more than the 2 MiB take to read even on a loaded machine, and far less than `/huge` takes.
    const body = await crawl(site, "/trouble/", { maxDepth: 1, timeoutMs: 1000 });
    const outcome = (path: string) => {
      const page = body.pages.find((entry) => entry.url === `${site.url}${path}`);
      return [page?.status, page?.error?.code];
    };
    expect(outcome("/slow/10")).toEqual([200, undefined]);
    expect(outcome("/hang")).toEqual([undefined, "timeout"]);
    expect(outcome("/status/500")).toEqual([500, "upstream_error"]);
    expect(outcome("/status/404")).toEqual([404, undefined]);
    expect(outcome("/huge")).toEqual([200, "too_large"]);
    expect(outcome("/huge-declared")).toEqual([200, "too_large"]);
    expect(outcome("/huge.bin")).toEqual([200, undefined]);
    expect(outcome("/redirect/2")).toEqual([200, undefined]);
    expect(outcome("/loop/a")).toEqual([302, "too_many_redirects"]);
    expect(outcome("/redirect-to?location=https%3A%2F%2Fother.example%2F")).toEqual([302, "off_origin"]);
    expect(outcome("/redirect-to?location=%2Fprivate%2Freport.html")).toEqual([302, "disallowed_by_robots"]);
    const metadata = "/redirect-to?location=http%3A%2F%2F169.254.169.254%2Flatest%2Fmeta-data%2F";
    expect(outcome(metadata)).toEqual([302, "refused_target"]);
    expect(body.pages).toHaveLength(13);
    expect(body.stats).toMatchObject({ fetched: 4, failed: 9 });

    expect((await site.stats()).requests).not.toContain("GET /private/report.html");
    // Bodies nobody reads (the binary file) and bodies over 2 MiB are cancelled: reading any of them to the
    // end would take the site's slow tail about six seconds.
    for (const path of ["/huge", "/huge-declared", "/huge.bin"]) {
      const page = body.pages.find((entry) => entry.url === `${site.url}${path}`);
      expect(page?.ms).toBeLessThan(2000);
    }
    // The timed-out request was hung up on, not left open.
    await expect.poll(async () => (await site.stats()).aborted).toContain("GET /hang");
  });

  it("marks the pages it could not afford once the subrequest budget is spent", async () => {
    const site = await newSite();
    const body = await crawl(
      site,
      "/grid/10/0/",
      { maxDepth: 1, concurrency: 1 },
      { SUBREQUEST_BUDGET: "5" },
    );
    // robots.txt, /sitemap.xml (asked for first, so first in the single slot), the index and two pages.
    expect(body.pages).toHaveLength(10);
    expect(body.pages.filter((page) => page.error?.code === "subrequest_budget")).toHaveLength(7);
    expect(body.stats).toMatchObject({ subrequests: 5, budgetExhausted: true });
    expect((await site.stats()).requests).toHaveLength(5);
  });

  it("streams each page as it completes, before a slow page has answered", async () => {
    const site = await newSite();
    const query = new URLSearchParams({ url: `${site.url}/stream/one/`, maxDepth: "1" });
    const response = await call(`/crawl?${query}`, { headers: { accept: "application/x-ndjson" } });
    expect(response.status).toBe(200);
    expect(response.headers.get("content-type")).toBe("application/x-ndjson");
    const lines = ndjsonLines(response);
    // `/held/one` cannot answer until released below, so these lines can only come from a streamed body.
    expect(await lines.next()).toMatchObject({ type: "page", url: `${site.url}/stream/one/`, depth: 0 });
    expect(await lines.next()).toMatchObject({ type: "page", url: `${site.url}/stream/one/fast`, depth: 1 });
    await site.release("one");
    expect(await lines.next()).toMatchObject({ type: "page", url: `${site.url}/held/one`, status: 200 });
    expect(await lines.next()).toMatchObject({
      type: "summary",
      start: `${site.url}/stream/one/`,
      stats: { fetched: 3, failed: 0 },
    });
    expect(await lines.next()).toBeUndefined();
  });

  it("stops fetching when the client stops reading the stream", async () => {
    const site = await newSite();
    const query = new URLSearchParams({ url: `${site.url}/stream/gone/`, maxDepth: "1" });
    const response = await call(`/crawl?${query}`, { headers: { accept: "application/x-ndjson" } });
    const lines = ndjsonLines(response);
    expect(await lines.next()).toMatchObject({ url: `${site.url}/stream/gone/` });
    expect(await lines.next()).toMatchObject({ url: `${site.url}/stream/gone/fast` });
    await expect.poll(async () => (await site.stats()).requests).toContain("GET /held/gone");
    await lines.cancel();
    // The held page is never released: only the Worker hanging up can end that request.
    await expect.poll(async () => (await site.stats()).aborted).toEqual(["GET /held/gone"]);
  });

  it("names the crawl's subrequests in Server-Timing", async () => {
    const site = await newSite();
    const response = await call(`/crawl?url=${encodeURIComponent(`${site.url}/chain/0`)}&maxDepth=0`);
    expect(response.headers.get("server-timing")).toMatch(/fetch;dur=[\d.]+/);
  });

  it("refuses a loopback start URL in production with a 400 and requests nothing", async () => {
    const site = await newSite();
    const query = new URLSearchParams({ url: `${site.url}/site/` });
    const response = await call(`/crawl?${query}`, {}, { ENVIRONMENT: "production" });
    const message = await expectError(response, 400, "invalid_request");
    expect(message).toContain("`url`");
    expect(message).toContain("loopback");
    expect((await site.stats()).requests).toEqual([]);
  });

  it("takes include and exclude as repeated parameters, exclude winning", async () => {
    const site = await newSite();
    const body = await crawl(site, "/site/", {
      maxDepth: 5,
      source: "links",
      include: ["/site/docs/**", "/site/about.html"],
      exclude: "/site/docs/deep/*",
    });
    expect(paths(site, body.pages)).toEqual([
      "/site/",
      "/site/about.html",
      "/site/docs/",
      "/site/docs/a.html",
      "/site/docs/base/b.html",
    ]);
    expect(body.stats.skippedByPattern).toBe(7);
  });

  it("crawls only what the sitemaps list with source=sitemaps, and nothing from them with source=links", async () => {
    const site = await newSite({ sitemap: "/sitemaps/pages.xml" });
    const mapped = await crawl(site, "/mapped/start", { source: "sitemaps" });
    expect(paths(site, mapped.pages)).toEqual(["/mapped/a", "/mapped/b?x=1&y=2"]);
    expect(mapped.stats).toMatchObject({ sitemaps: { read: 1, urls: 4, errors: 0 }, skippedByRobots: 1 });
    const linked = await crawl(site, "/mapped/start", { source: "links" });
    expect(paths(site, linked.pages)).toEqual(["/mapped/start"]);
    expect(linked.stats.sitemaps).toEqual({ read: 0, urls: 0, errors: 0, truncated: false });
  });

  it("reads links the way a browser does: decoded, against a relative base, protocol-relative", async () => {
    const site = await newSite();
    const body = await crawl(site, "/escaped/", { maxDepth: 1, source: "links" });
    expect(paths(site, body.pages)).toContain("/escaped/c?i=2&j=3");
    expect(paths(site, body.pages)).toContain("/escaped/sub/rel.html");
    expect(paths(site, body.pages)).toContain("/escaped/proto");
    const { requests } = await site.stats();
    expect(requests.filter((line) => line.includes("&amp;") || line.includes("&#"))).toEqual([]);
  });

  it.each([
    ["include=%2Fdocs%2F***", "include"],
    ["include=", "include"],
    ["exclude=%2Fa%20b", "exclude"],
    [Array.from({ length: 21 }, (_, i) => `exclude=%2F${i}`).join("&"), "exclude"],
    ["source=everything", "source"],
  ])("refuses the crawl option ?%s with a 400 naming `%s`", async (query, field) => {
    const url = encodeURIComponent("https://example.com/");
    const message = await expectError(await call(`/crawl?url=${url}&${query}`), 400, "invalid_request");
    expect(message).toContain(`\`${field}`);
  });

  it.each([
    ["", "url"],
    ["url=ftp%3A%2F%2Fexample.com%2F", "url"],
    ["url=http%3A%2F%2F10.0.0.1%2F", "url"],
    ["url=https%3A%2F%2Fexample.com%2F&maxPages=0", "maxPages"],
    ["url=https%3A%2F%2Fexample.com%2F&maxPages=201", "maxPages"],
    ["url=https%3A%2F%2Fexample.com%2F&maxDepth=6", "maxDepth"],
    ["url=https%3A%2F%2Fexample.com%2F&maxDepth=-1", "maxDepth"],
    ["url=https%3A%2F%2Fexample.com%2F&concurrency=7", "concurrency"],
    ["url=https%3A%2F%2Fexample.com%2F&timeoutMs=99", "timeoutMs"],
    ["url=https%3A%2F%2Fexample.com%2F&maxPages=two", "maxPages"],
  ])("refuses ?%s with a 400 naming `%s`", async (query, field) => {
    const message = await expectError(await call(`/crawl?${query}`), 400, "invalid_request");
    expect(message).toContain(`\`${field}\``);
  });
});
