import { describe, expect, it } from "vitest";
import { type CrawlOptions, crawl } from "../../src/lib/fanout/crawler.ts";
import { createFanout } from "../../src/lib/fanout/engine.ts";
import type { CrawlReport } from "../../src/schemas/crawl.ts";
import { newSite, type SiteOptions, type TestSite } from "./test-site.ts";

// The engine as GET /crawl and the crawl jobs run it, against a real site on loopback (hence development
// strictness); the route's own tests cover its parameters.
async function run(
  site: TestSite,
  path: string,
  options: Partial<Omit<CrawlOptions, "start" | "fanout" | "production">> = {},
  fanout = { concurrency: 6, timeoutMs: 5000, subrequests: 500 },
): Promise<CrawlReport> {
  return crawl({
    start: new URL(`${site.url}${path}`),
    maxPages: 50,
    maxDepth: 3,
    production: false,
    fanout: createFanout(fanout),
    ...options,
  });
}

function paths(site: TestSite, result: CrawlReport): string[] {
  return result.pages.map((page) => page.url.replace(site.url, ""));
}

async function siteWith(options: SiteOptions) {
  return newSite(options);
}

describe("crawl: links as a browser reads them", () => {
  it("decodes character references in href and <base href>, and resolves like a browser", async () => {
    const site = await newSite();
    const result = await run(site, "/escaped/", { maxDepth: 1, source: "links" });
    expect(paths(site, result)).toEqual([
      "/escaped/",
      "/escaped/c?i=1&j=2",
      "/escaped/c?i=2&j=3",
      "/escaped/c?i=3&j=4",
      "/escaped/c?i=4&amp=5",
      "/escaped/sub/rel.html",
      "/escaped/up.html",
      "/escaped/proto",
      "/escaped/slashes",
      "/escaped/spaced",
      "/escaped/say-%22hi%22",
      "/escaped/script-title",
    ]);
    expect(result.pages[0]).toMatchObject({ title: "Escaped & based \u2014 <ok>", links: 11 });
    const script = result.pages.find((page) => page.url.endsWith("/escaped/script-title"));
    expect(script?.title).toBe("<script>alert(1)</script>");
    expect(result.stats).toMatchObject({ fetched: 12, failed: 0 });
  });
});

describe("crawl: busy slots", () => {
  it("starts the next level while a slow page of the previous one is still loading", async () => {
    const site = await newSite();
    // Three children a page, two levels; `/2` answers after 400 ms, every other page after 20 ms.
    const result = await run(site, "/skew/3/2/400/20/", { source: "links", maxDepth: 2 });
    expect(result.pages).toHaveLength(13);
    const byPath = new Map(result.pages.map((page) => [page.url.replace(site.url, ""), page]));
    const slow = byPath.get("/skew/3/2/400/20/2");
    const grandchild = byPath.get("/skew/3/2/400/20/0-0");
    // A level barrier would start `0-0` only after `2` ended.
    expect(grandchild?.startMs).toBeLessThan(slow?.endMs ?? 0);
    expect(result.stats.maxInFlight).toBeLessThanOrEqual(6);
  });

  it("lists pages in the same order whatever order they completed in", async () => {
    const site = await newSite();
    const orders = await Promise.all(
      [1, 2, 3].map(async (concurrency) =>
        paths(
          site,
          await run(
            site,
            "/skew/3/2/200/10/",
            { source: "links" },
            { concurrency, timeoutMs: 5000, subrequests: 500 },
          ),
        ),
      ),
    );
    expect(orders[1]).toEqual(orders[0]);
    expect(orders[2]).toEqual(orders[0]);
    expect(orders[0]?.slice(0, 5)).toEqual([
      "/skew/3/2/200/10/",
      "/skew/3/2/200/10/0",
      "/skew/3/2/200/10/1",
      "/skew/3/2/200/10/2",
      "/skew/3/2/200/10/0-0",
    ]);
  });

  it("keeps the shallowest pages when maxPages cuts the crawl short", async () => {
    const site = await newSite();
    const result = await run(site, "/skew/3/3/300/10/", { source: "links", maxPages: 10 });
    // 1 root + 3 children + 6 of the 9 grandchildren: the slow `2` holds back nothing deeper than itself.
    expect(result.pages.map((page) => page.depth)).toEqual([0, 1, 1, 1, 2, 2, 2, 2, 2, 2]);
  });
});

describe("crawl: sitemaps", () => {
  it("reads robots.txt sitemaps, follows the index, gunzips, and counts every broken file", async () => {
    const site = await siteWith({ sitemap: "/sitemaps/index.xml" });
    const result = await run(site, "/mapped/start", { source: "sitemaps" });
    expect(paths(site, result)).toEqual([
      "/mapped/a",
      "/mapped/b?x=1&y=2",
      "/mapped/c",
      "/mapped/d",
      "/mapped/e",
      "/mapped/f",
    ]);
    expect(result.pages.every((page) => page.depth === 1)).toBe(true);
    // index, pages and more.xml.gz read; malformed, entities, not-xml, bomb and missing failed.
    expect(result.stats.sitemaps).toMatchObject({ read: 3, errors: 5, truncated: false });
    expect(result.stats.skippedByRobots).toBe(1);
    const { requests } = await site.stats();
    expect(requests).not.toContain("GET /mapped/start");
    expect(requests).not.toContain("GET /private/report.html");
    expect(requests.some((line) => line.includes("lol"))).toBe(false);
  });

  it("falls back to /sitemap.xml and adds its URLs to the links of the start page", async () => {
    const site = await siteWith({ fallback: "/sitemaps/pages.xml" });
    const result = await run(site, "/mapped/start");
    expect(paths(site, result)).toEqual(["/mapped/start", "/mapped/a", "/mapped/b?x=1&y=2"]);
    expect(result.stats.sitemaps).toMatchObject({ read: 1, errors: 0 });
  });

  it("stops reading a million-URL sitemap at the cap, or once maxPages pages have started", async () => {
    const site = await newSite({ sitemap: "/sitemaps/huge.xml" });
    // Every entry excluded, so only the cap on entries read (100 here) can stop the reading.
    const capped = await run(site, "/mapped/start", {
      source: "sitemaps",
      maxPages: 5,
      exclude: ["/mapped/**"],
    });
    expect(capped.pages).toEqual([]);
    expect(capped.stats.sitemaps).toEqual({ read: 1, urls: 100, errors: 0, truncated: true });
    expect(capped.stats.skippedByPattern).toBe(100);
    // Entries kept: reading ends with the fifth, when the fifth page starts.
    const enough = await run(site, "/mapped/start", { source: "sitemaps", maxPages: 5 });
    expect(enough.pages).toHaveLength(5);
    expect(enough.stats.sitemaps).toEqual({ read: 1, urls: 5, errors: 0, truncated: false });
  });

  it("reads no sitemap when the source is links", async () => {
    const site = await siteWith({ sitemap: "/sitemaps/index.xml" });
    await run(site, "/mapped/start", { source: "links" });
    expect((await site.stats()).requests).toEqual(["GET /robots.txt", "GET /mapped/start"]);
  });
});

describe("crawl: patterns and politeness", () => {
  it("follows only included URLs, exclude winning, the start URL always", async () => {
    const site = await newSite();
    const result = await run(site, "/site/", {
      source: "links",
      maxDepth: 5,
      include: ["/site/docs/**"],
      exclude: ["/site/docs/deep/*"],
    });
    expect(paths(site, result)).toEqual([
      "/site/",
      "/site/docs/",
      "/site/docs/a.html",
      "/site/docs/base/b.html",
    ]);
    expect(result.stats.skippedByPattern).toBe(8);
  });

  it("spaces its requests by the Crawl-delay robots.txt gives our user agent", async () => {
    const site = await newSite({ crawlDelay: 0.2 });
    const result = await run(site, "/grid/5/0/", { source: "links", maxDepth: 1 });
    expect(result.stats.crawlDelayMs).toBe(200);
    expect(result.pages).toHaveLength(5);
    // robots.txt, then five pages that could all go at once, arriving 200 ms apart (less loopback jitter).
    const { requests, arrivedMs } = await site.stats();
    expect(requests).toHaveLength(6);
    for (let i = 1; i < arrivedMs.length; i++) {
      expect((arrivedMs[i] ?? 0) - (arrivedMs[i - 1] ?? 0)).toBeGreaterThanOrEqual(150);
    }
  });
});
