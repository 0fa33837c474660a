/**
 * The crawl job's Durable Object on its own, inside workerd: batches run by real alarms against the local test
 * site, restarts made by throwing away every Durable Object instance mid-fetch (storage kept), and the
 * seven-day expiry.
 */
import { abortAllDurableObjects, runDurableObjectAlarm, runInDurableObject } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import { RETENTION_MS } from "../../src/jobs/crawl-job.ts";
import { allPages, pathsOnce, startJob, until, untilFinished } from "./crawl-jobs-support.ts";
import { newSite } from "./test-site.ts";

describe("a crawl job", { timeout: 60_000 }, () => {
  it("runs to completion over several invocations, every page once, robots.txt read once", async () => {
    const site = await newSite();
    // 10 subrequests an invocation: the 12 pages need at least two batches.
    const { id, created } = await startJob(`${site.url}/site/`, {}, 10);
    expect(created).toMatchObject({ status: "queued", counts: { queued: 1, fetched: 0 } });

    const job = await untilFinished(id);
    const paths = pathsOnce(site.url, await allPages(id, 5));
    // Whether /site/moved's redirect fits in its invocation's budget depends on timing; when it does not, the
    // target is queued and fetched as a page of its own.
    const moved = paths.includes("/site/landing.html") ? 1 : 0;
    expect(job).toMatchObject({
      status: "completed",
      counts: { queued: 0, fetched: 10 + moved, failed: 2, disallowed: 2, skipped: 0 },
    });
    expect(job.usage.invocations).toBeGreaterThanOrEqual(2);
    expect(paths.filter((path) => path !== "/site/landing.html").sort()).toEqual(
      [
        "/site/",
        "/site/about.html",
        "/site/docs/",
        "/site/docs/a.html",
        "/site/data.json",
        "/site/missing.html",
        "/site/broken.html",
        "/site/moved",
        "/site/docs/base/b.html",
        "/site/docs/deep/c.html",
        "/site/landing-next.html",
        "/site/docs/deep/d.html",
      ].sort(),
    );
    const { requests, peak } = await site.stats();
    expect(requests.filter((line) => line === "GET /robots.txt")).toHaveLength(1);
    expect(requests).not.toContain("GET /site/secret.html");
    expect(new Set(requests).size).toBe(requests.length);
    expect(peak).toBeLessThanOrEqual(6);
  });

  it("keeps the shallowest pages when maxPages cuts it short, and counts the rest as skipped", async () => {
    const site = await newSite();
    const { id } = await startJob(`${site.url}/grid/30/0/`, { maxPages: 10 });
    const job = await untilFinished(id);
    expect(job.counts).toEqual({ queued: 0, fetched: 10, failed: 0, disallowed: 0, skipped: 20 });
    const pages = await allPages(id);
    expect(pages.map((page) => page.depth).sort()).toEqual([0, 1, 1, 1, 1, 1, 1, 1, 1, 1]);
  });

  it("queues a redirect target as its own URL when the invocation's budget cannot follow it", async () => {
    const site = await newSite();
    // Two subrequests an invocation: robots.txt and one page, then one page and one hop.
    const { id } = await startJob(`${site.url}/redirect/4`, { source: "links" }, 2);
    const job = await untilFinished(id);
    expect(job).toMatchObject({ status: "completed", counts: { fetched: 3, failed: 0 } });
    const pages = await allPages(id);
    expect(pages.map((page) => [page.url.replace(site.url, ""), page.status, page.redirectedTo])).toEqual([
      ["/redirect/4", 302, `${site.url}/redirect/3`],
      ["/redirect/3", 302, `${site.url}/redirect/1`],
      ["/redirect/1", 200, `${site.url}/redirect/0`],
    ]);
    const { requests } = await site.stats();
    expect(requests).toEqual([
      "GET /robots.txt",
      "GET /redirect/4",
      "GET /redirect/3",
      "GET /redirect/2",
      "GET /redirect/1",
      "GET /redirect/0",
    ]);
  });

  it("ends although links loop and redirects never end", async () => {
    const site = await newSite();
    const { id } = await startJob(`${site.url}/trouble/`, { maxDepth: 20, timeoutMs: 500 });
    const job = await untilFinished(id);
    expect(job.status).toBe("completed");
    const pages = await allPages(id);
    const loop = pages.find((page) => page.url.endsWith("/loop/a"));
    expect(loop?.error?.code).toBe("too_many_redirects");
    const chain = await startJob(`${site.url}/chain/1`, { maxDepth: 20 });
    const chained = await untilFinished(chain.id);
    expect(chained.counts.fetched).toBe(20);
  });

  it("records a page cut off by a restart once, after fetching it again", async () => {
    const site = await newSite();
    const { id } = await startJob(`${site.url}/stream/k/`);
    await until(async () => (await site.stats()).requests.includes("GET /held/k"), "/held/k requested");
    // Every instance is thrown away mid-fetch, as when the process dies; storage stays, and the runtime
    // retries the interrupted alarm.
    await abortAllDurableObjects();
    await until(
      async () => (await site.stats()).requests.filter((line) => line === "GET /held/k").length === 2,
      "the second fetch of /held/k",
    );
    await site.release("k");
    const job = await untilFinished(id);
    expect(job.counts).toMatchObject({ fetched: 3, failed: 0 });
    expect(pathsOnce(site.url, await allPages(id)).sort()).toEqual([
      "/held/k",
      "/stream/k/",
      "/stream/k/fast",
    ]);
    const held = (await site.stats()).requests.filter((line) => line === "GET /held/k");
    expect(held).toHaveLength(2);
  });

  it("gives up on a page cut off by two restarts, recording it as failed without a third fetch", async () => {
    const site = await newSite();
    const { id } = await startJob(`${site.url}/stream/twice/`);
    const heldCount = async () =>
      (await site.stats()).requests.filter((line) => line === "GET /held/twice").length;
    await until(async () => (await heldCount()) === 1, "the first fetch of /held/twice");
    await abortAllDurableObjects();
    await until(async () => (await heldCount()) === 2, "the second fetch of /held/twice");
    await abortAllDurableObjects();
    const job = await untilFinished(id);
    expect(job.counts).toMatchObject({ fetched: 2, failed: 1 });
    const held = (await allPages(id)).find((page) => page.url.endsWith("/held/twice"));
    expect(held?.error?.code).toBe("aborted");
    expect(await heldCount()).toBe(2);
    await site.release("twice");
  });

  it("stops starting pages once cancelled, records the pages in flight, and answers the same job again", async () => {
    const site = await newSite();
    const { stub } = await startJob(`${site.url}/stream/c/`, { concurrency: 1 });
    await until(async () => (await site.stats()).requests.includes("GET /held/c"), "/held/c requested");
    const cancelled = await stub.cancel();
    // The page in flight still counts as queued until it is recorded; the one waiting is skipped.
    expect(cancelled).toMatchObject({ status: "cancelled", counts: { queued: 1, skipped: 1 } });
    expect(cancelled?.finishedAt).toBeDefined();
    expect(await stub.cancel()).toEqual(cancelled);
    await site.release("c");
    await until(async () => (await stub.read())?.counts.queued === 0, "the page in flight recorded");
    expect((await stub.read())?.counts).toMatchObject({ fetched: 2, skipped: 1 });
    expect((await site.stats()).requests).not.toContain("GET /stream/c/fast");
    expect((await stub.read())?.status).toBe("cancelled");
  });

  it("keeps a finished job's status when cancelled", async () => {
    const site = await newSite();
    const { id, stub } = await startJob(`${site.url}/chain/19`);
    const done = await untilFinished(id);
    expect(await stub.cancel()).toEqual(done);
  });

  it("deletes its own storage seven days after it ended", async () => {
    const site = await newSite();
    const { id, stub } = await startJob(`${site.url}/chain/20`);
    const done = await untilFinished(id);
    const finishedAt = Date.parse(done.finishedAt ?? "");
    const alarm = await runInDurableObject(stub, (_, state) => state.storage.getAlarm());
    expect(alarm).toBe(finishedAt + RETENTION_MS);

    // Before the time, an early alarm changes nothing; after it, the job is gone.
    expect(await runDurableObjectAlarm(stub)).toBe(true);
    expect((await stub.read())?.status).toBe("completed");
    await runInDurableObject(stub, (_, state) => {
      const row = state.storage.sql.exec("SELECT state FROM job").one();
      const job = JSON.parse(String(row.state));
      job.finishedAt = Date.now() - RETENTION_MS - 1;
      state.storage.sql.exec("UPDATE job SET state = ?", JSON.stringify(job));
    });
    expect(await runDurableObjectAlarm(stub)).toBe(true);
    expect(await stub.read()).toBeNull();
    expect(await stub.pages(0, 10)).toBeNull();
    const size = await runInDurableObject(stub, (_, state) => state.storage.sql.databaseSize);
    expect(await runInDurableObject(stub, (_, state) => state.storage.getAlarm())).toBeNull();
    expect(size).toBeLessThan(16 * 1024);
  });
});
