/**
 * A 10,000-page job inside workerd. Its frontier (9,999 links from one index page), its seen set and its
 * results live in the Durable Object's SQLite storage; what an invocation holds in memory is its pages in
 * flight (at most `concurrency`, each at most 2 MiB of body) and the links of the page being recorded.
 */
import { runInDurableObject } from "cloudflare:test";
import { expect, it } from "vitest";
import { allPages, pathsOnce, startJob, untilFinished } from "./crawl-jobs-support.ts";
import { newSite } from "./test-site.ts";

it("crawls 10,000 pages, each once, with the frontier and results in storage", {
  timeout: 300_000,
}, async () => {
  const site = await newSite();
  const { id, stub } = await startJob(
    `${site.url}/grid/10000/0/`,
    { maxPages: 10_000, maxDepth: 1, source: "links" },
    1000,
  );
  const job = await untilFinished(id, 280_000);
  expect(job.counts).toEqual({ queued: 0, fetched: 10_000, failed: 0, disallowed: 0, skipped: 0 });
  // 1,000 subrequests an invocation, six of them reserved per page in flight: at least ten invocations.
  expect(job.usage.invocations).toBeGreaterThanOrEqual(10);
  expect(pathsOnce(site.url, await allPages(id))).toHaveLength(10_000);
  const { requests, peak } = await site.stats();
  expect(requests).toHaveLength(10_001); // robots.txt once, every page once
  expect(peak).toBeLessThanOrEqual(6);
  const stored = await runInDurableObject(stub, (_, state) => ({
    seen: state.storage.sql.exec("SELECT count(*) AS n FROM seen").one().n,
    pages: state.storage.sql.exec("SELECT count(*) AS n FROM pages").one().n,
    frontier: state.storage.sql.exec("SELECT count(*) AS n FROM frontier").one().n,
  }));
  expect(stored).toEqual({ seen: 10_000, pages: 10_000, frontier: 0 });
  // A handful of rows a page; a frontier read that scanned instead of using its index would make it thousands.
  expect(job.usage.rowsRead).toBeLessThan(20 * 10_000);
});
