/**
 * The crawl-job routes as a client uses them: create, poll, read results (JSON pages and NDJSON), cancel; bad
 * input; sitemaps that are huge, cut off, not XML or try entity expansion.
 */
import { describe, expect, it } from "vitest";
import type { CrawlJob, CrawlJobPage } from "../../src/schemas/crawl-jobs.ts";
import { untilFinished } from "./crawl-jobs-support.ts";
import { call, expectError, jsonInit } from "./support.ts";
import { newSite } from "./test-site.ts";

async function create(body: object, overrides = {}) {
  const response = await call("/crawl/jobs", jsonInit("POST", body), overrides);
  return { response, job: response.status === 202 ? ((await response.json()) as CrawlJob) : undefined };
}

async function pagesOf(id: string, query = "") {
  const response = await call(`/crawl/jobs/${id}/pages${query}`);
  expect(response.status).toBe(200);
  return (await response.json()) as { items: CrawlJobPage[]; nextCursor: string | null };
}

describe("POST /crawl/jobs and GET /crawl/jobs/{id}", { timeout: 60_000 }, () => {
  it("answers 202 with the queued job and its location, then the job runs to completion", async () => {
    const site = await newSite();
    const { response, job } = await create({ url: `${site.url}/site/`, maxPages: 50 });
    expect(response.status).toBe(202);
    expect(job).toMatchObject({
      status: "queued",
      url: `${site.url}/site/`,
      options: { maxPages: 50, maxDepth: 5, concurrency: 6, timeoutMs: 5000, source: "all" },
      counts: { queued: 1, fetched: 0, failed: 0, disallowed: 0, skipped: 0 },
      elapsedMs: 0,
    });
    const id = job?.id ?? "";
    expect(id).toMatch(/^[A-Za-z0-9_-]{22}$/); // 128 random bits
    expect(response.headers.get("location")).toBe(`/crawl/jobs/${id}`);

    await untilFinished(id);
    const read = await call(`/crawl/jobs/${id}`);
    expect(read.status).toBe(200);
    const done = (await read.json()) as CrawlJob;
    expect(done).toMatchObject({ status: "completed", counts: { queued: 0, failed: 2, disallowed: 2 } });
    expect(done.finishedAt).toBeDefined();
    expect(done.sitemaps).toEqual({ read: 0, urls: 0, errors: 0, truncated: false });
  });

  it("pages through the results with a keyset cursor, filters by outcome, and streams NDJSON", async () => {
    const site = await newSite();
    const { job } = await create({ url: `${site.url}/site/` });
    const id = job?.id ?? "";
    const done = await untilFinished(id);
    const total = done.counts.fetched + done.counts.failed;

    const seen: string[] = [];
    let cursor: string | null = "";
    while (cursor !== null) {
      const page = await pagesOf(id, `?limit=5${cursor ? `&cursor=${cursor}` : ""}`);
      expect(page.items.length).toBeLessThanOrEqual(5);
      seen.push(...page.items.map((item) => item.url));
      cursor = page.nextCursor;
    }
    expect(seen).toHaveLength(total);
    expect(new Set(seen).size).toBe(total);

    const failed = await pagesOf(id, "?status=failed");
    expect(failed.items.map((item) => item.url.replace(site.url, "")).sort()).toEqual([
      "/site/broken.html",
      "/site/missing.html",
    ]);
    expect(failed.nextCursor).toBeNull();
    expect(failed.items.every((item) => !Number.isNaN(Date.parse(item.fetchedAt)))).toBe(true);

    const streamed = await call(`/crawl/jobs/${id}/pages`, { headers: { accept: "application/x-ndjson" } });
    expect(streamed.headers.get("content-type")).toMatch(/^application\/x-ndjson/);
    const lines = (await streamed.text()).trim().split("\n");
    expect(lines.map((line) => (JSON.parse(line) as CrawlJobPage).url)).toEqual(seen);
  });

  it("counts bad sitemaps (cut off, not XML, entity expansion, a gzip bomb, missing) as errors and crawls the rest", async () => {
    const site = await newSite({ sitemap: "/sitemaps/index.xml" });
    const { job } = await create({ url: `${site.url}/mapped/a`, source: "sitemaps" });
    const done = await untilFinished(job?.id ?? "");
    expect(done.status).toBe("completed");
    expect(done.sitemaps).toMatchObject({ read: 3, errors: 5, truncated: false });
    const paths = (await pagesOf(job?.id ?? "", "?limit=500")).items.map((item) =>
      item.url.replace(site.url, ""),
    );
    expect(paths).toEqual(
      expect.arrayContaining(["/mapped/a", "/mapped/b?x=1&y=2", "/mapped/c", "/mapped/e"]),
    );
    expect(paths).not.toContain("/private/report.html");
    expect(done.counts.disallowed).toBe(1);
  });

  it("cuts a sitemap of a million URLs at the cap", async () => {
    const site = await newSite({ sitemap: "/sitemaps/huge.xml" });
    const { job } = await create({ url: `${site.url}/`, maxPages: 10, source: "sitemaps" });
    const done = await untilFinished(job?.id ?? "");
    expect(done).toMatchObject({ status: "completed", counts: { fetched: 10, skipped: 90 } });
    expect(done.sitemaps).toMatchObject({ urls: 100, truncated: true });
  });
});

describe("DELETE /crawl/jobs/{id}", { timeout: 60_000 }, () => {
  it("cancels a running job, and answers the same job when cancelled again", async () => {
    const site = await newSite();
    const { job } = await create({ url: `${site.url}/stream/del/`, concurrency: 1 });
    const id = job?.id ?? "";
    const first = await call(`/crawl/jobs/${id}`, jsonInit("DELETE", undefined));
    expect(first.status).toBe(200);
    const cancelled = (await first.json()) as CrawlJob;
    expect(cancelled.status).toBe("cancelled");
    const again = await call(`/crawl/jobs/${id}`, jsonInit("DELETE", undefined));
    expect(again.status).toBe(200);
    expect(await again.json()).toEqual(cancelled);
    await site.release("del");
  });

  it("keeps a finished job's status", async () => {
    const site = await newSite();
    const { job } = await create({ url: `${site.url}/chain/20` });
    const done = await untilFinished(job?.id ?? "");
    const response = await call(`/crawl/jobs/${done.id}`, jsonInit("DELETE", undefined));
    expect(await response.json()).toEqual(done);
  });
});

describe("crawl jobs are rate-limited", () => {
  it("declares creating a job a fan-out write, reading one a read, cancelling one a write", async () => {
    const doc = (await (await call("/openapi.json")).json()) as {
      paths: Record<string, Record<string, { "x-rate-limit": string }>>;
    };
    expect(doc.paths["/crawl/jobs"]?.post?.["x-rate-limit"]).toBe("fanout");
    expect(doc.paths["/crawl/jobs/{id}"]?.get?.["x-rate-limit"]).toBe("read");
    expect(doc.paths["/crawl/jobs/{id}"]?.delete?.["x-rate-limit"]).toBe("write");
    expect(doc.paths["/crawl/jobs/{id}/pages"]?.get?.["x-rate-limit"]).toBe("read");
  });

  it("answers 429 once a client has spent its fan-out budget on job creations", async () => {
    // Invalid bodies: the budget is spent before the body is read, so no job is created. A /64 of its own,
    // since the simulated limiter keeps its counts for the whole test run.
    const ip = `2001:db8:${Math.floor(Math.random() * 0xffff).toString(16)}::1`;
    const init = jsonInit("POST", {});
    const send = () => call("/crawl/jobs", { ...init, headers: { ...init.headers, "cf-connecting-ip": ip } });
    for (let i = 0; i < 20; i++) expect((await send()).status).toBe(400);
    const limited = await send();
    await expectError(limited, 429, "rate_limited");
    expect(limited.headers.get("retry-after")).toBe("60");
  });
});

describe("crawl jobs refuse bad input", () => {
  it.each([
    [{ url: "http://127.0.0.1:1/", maxPages: 10_001 }, /`maxPages`/],
    [{ url: "http://127.0.0.1:1/", maxDepth: 21 }, /`maxDepth`/],
    [{ url: "http://127.0.0.1:1/", source: "everything" }, /`source`/],
    [{ url: "http://127.0.0.1:1/", include: ["/docs/***"] }, /`include\.0`.*three/],
    [{ url: "http://127.0.0.1:1/", exclude: [""] }, /`exclude\.0`/],
    [{ url: "ftp://example.com/" }, /`url`/],
  ])("%j is a 400 naming the field", async (body, field) => {
    const { response } = await create(body);
    expect(await expectError(response, 400, "invalid_request")).toMatch(field);
  });

  it("refuses a loopback start URL in production", async () => {
    const { response } = await create({ url: "http://127.0.0.1:1/" }, { ENVIRONMENT: "production" });
    expect(await expectError(response, 400, "invalid_request")).toMatch(/`url`/);
  });

  it("needs the bearer token to create or cancel", async () => {
    const { response } = await create({ url: "http://127.0.0.1:1/" }, { API_TOKEN: "another-token" });
    await expectError(response, 401, "unauthorized");
    const cancel = await call("/crawl/jobs/AAAAAAAAAAAAAAAAAAAAAA", jsonInit("DELETE", undefined, "wrong"));
    await expectError(cancel, 401, "unauthorized");
  });

  it.each([
    ["GET", "/crawl/jobs/AAAAAAAAAAAAAAAAAAAAAA"],
    ["GET", "/crawl/jobs/AAAAAAAAAAAAAAAAAAAAAA/pages"],
    ["DELETE", "/crawl/jobs/AAAAAAAAAAAAAAAAAAAAAA"],
    ["GET", "/crawl/jobs/not-a-job-id"],
  ])("%s %s of an unknown job is a 404", async (method, path) => {
    const response = await call(path, method === "GET" ? {} : jsonInit(method, undefined));
    await expectError(response, 404, "not_found");
  });

  it("refuses a page size over 500 and a cursor that is not one", async () => {
    const limit = await call("/crawl/jobs/AAAAAAAAAAAAAAAAAAAAAA/pages?limit=501");
    expect(await expectError(limit, 400, "invalid_request")).toMatch(/`limit`/);
    const cursor = await call("/crawl/jobs/AAAAAAAAAAAAAAAAAAAAAA/pages?cursor=abc");
    expect(await expectError(cursor, 400, "invalid_request")).toMatch(/`cursor`/);
  });
});
