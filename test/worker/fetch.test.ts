import { describe, expect, it } from "vitest";
import { call, expectError } from "./support.ts";
import { ndjsonLines, newSite } from "./test-site.ts";

interface Result {
  url: string;
  ok: boolean;
  status?: number;
  finalUrl?: string;
  headers?: Record<string, string>;
  bytes?: number;
  ms: number;
  startMs: number;
  endMs: number;
  error?: { code: string; message: string };
}

interface Report {
  results: Result[];
  elapsedMs: number;
  sumMs: number;
  speedup: number;
  maxInFlight: number;
  subrequests: number;
}

function post(body: unknown, headers: Record<string, string> = {}) {
  return {
    method: "POST",
    headers: { "content-type": "application/json", ...headers },
    body: JSON.stringify(body),
  };
}

async function fetchAll(body: unknown, overrides = {}): Promise<Report> {
  const response = await call("/fetch", post(body), overrides);
  expect(response.status).toBe(200);
  return response.json();
}

const selectedHeaders = [
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

describe("POST /fetch", () => {
  it("answers every URL in input order with its status, selected headers and body size", async () => {
    const site = await newSite();
    const urls = [`${site.url}/site/about.html`, `${site.url}/status/404`, `${site.url}/site/data.json`];
    const body = await fetchAll({ urls });
    expect(body.results.map((result) => [result.url, result.ok, result.status])).toEqual([
      [urls[0], true, 200],
      [urls[1], false, 404],
      [urls[2], true, 200],
    ]);
    const [page] = body.results;
    expect(page?.headers?.["content-type"]).toBe("text/html; charset=utf-8");
    expect(Object.keys(page?.headers ?? {}).every((name) => selectedHeaders.includes(name))).toBe(true);
    expect(page?.headers).not.toHaveProperty("connection");
    expect(page?.bytes).toBeGreaterThan(100);
    expect(body.results[1]?.error).toBeUndefined();
  });

  it("sends HEAD when asked and reports no body size", async () => {
    const site = await newSite();
    const body = await fetchAll({ urls: [`${site.url}/site/about.html`], method: "HEAD" });
    expect(body.results[0]).toMatchObject({ ok: true, status: 200 });
    expect(body.results[0]).not.toHaveProperty("bytes");
    expect((await site.stats()).requests).toEqual(["HEAD /site/about.html"]);
  });

  it("reports each failure in its own entry while the other URLs succeed", async () => {
    const site = await newSite();
    const urls = [
      `${site.url}/site/about.html`,
      `${site.url}/hang`,
      `${site.url}/status/500`,
      "http://127.0.0.1:1/",
      "http://no-such-host.invalid/",
      `${site.url}/status/404`,
    ];
    const body = await fetchAll({ urls, timeoutMs: 300 });
    expect(body.results.map((result) => [result.ok, result.status, result.error?.code])).toEqual([
      [true, 200, undefined],
      [false, undefined, "timeout"],
      [false, 500, "upstream_error"],
      [false, undefined, "unreachable"],
      [false, undefined, "unreachable"],
      [false, 404, undefined],
    ]);
    expect(body.results[1]?.ms).toBeGreaterThanOrEqual(300);
    expect(body.results[1]?.error?.message).toContain("300 ms");
  });

  it.each([
    ["/huge", "a chunked body, read from the stream"],
    ["/huge-declared", "a declared content-length"],
  ])("stops reading a 10 MiB body at 2 MiB (%s: %s)", async (path) => {
    const site = await newSite();
    const body = await fetchAll({ urls: [`${site.url}${path}`, `${site.url}/site/about.html`] });
    expect(body.results[0]).toMatchObject({ ok: false, status: 200, error: { code: "too_large" } });
    expect(body.results[0]).not.toHaveProperty("bytes");
    expect(body.results[1]).toMatchObject({ ok: true });
    // Reading all 10 MiB would take the site's slow tail about six seconds.
    expect(body.results[0]?.ms).toBeLessThan(2000);
  });

  it("follows redirects by hand and reports where they ended", async () => {
    const site = await newSite();
    const body = await fetchAll({ urls: [`${site.url}/redirect/5`] });
    expect(body.results[0]).toMatchObject({ ok: true, status: 200, finalUrl: `${site.url}/redirect/0` });
    expect(body.subrequests).toBe(6);
  });

  it("stops a redirect loop after 5 redirects", async () => {
    const site = await newSite();
    const body = await fetchAll({ urls: [`${site.url}/loop/a`] });
    expect(body.results[0]).toMatchObject({ ok: false, status: 302, error: { code: "too_many_redirects" } });
    expect((await site.stats()).requests).toEqual([
      "GET /loop/a",
      "GET /loop/b",
      "GET /loop/a",
      "GET /loop/b",
      "GET /loop/a",
      "GET /loop/b",
    ]);
  });

  it("refuses a redirect hop into a link-local metadata address without requesting it", async () => {
    const site = await newSite();
    const location = encodeURIComponent("http://169.254.169.254/latest/meta-data/");
    const body = await fetchAll({ urls: [`${site.url}/redirect-to?location=${location}`], timeoutMs: 500 });
    expect(body.results[0]).toMatchObject({ ok: false, status: 302, error: { code: "refused_target" } });
    expect(body.results[0]?.error?.message).toContain("169.254.169.254");
    expect(body.subrequests).toBe(1);
  });

  it("keeps at most `concurrency` requests in flight and reports the peak it reached", async () => {
    const site = await newSite();
    const urls = Array.from({ length: 12 }, (_, i) => `${site.url}/slow/100?i=${i}`);
    const body = await fetchAll({ urls, concurrency: 3 });
    const stats = await site.stats();
    expect(stats.requests).toHaveLength(12);
    expect(stats.peak).toBeLessThanOrEqual(3);
    expect(body.maxInFlight).toBe(3);
    // Four waves of three take 400 ms (all at once would take 100); the margin absorbs coarse clocks.
    expect(body.elapsedMs).toBeGreaterThanOrEqual(350);
    expect(body.sumMs).toBe(body.results.reduce((sum, result) => sum + result.ms, 0));
    expect(body.speedup).toBeCloseTo(body.sumMs / body.elapsedMs, 1);
  });

  it("defaults to six in flight", async () => {
    const site = await newSite();
    const urls = Array.from({ length: 10 }, (_, i) => `${site.url}/slow/100?i=${i}`);
    const body = await fetchAll({ urls });
    expect(body.maxInFlight).toBe(6);
    expect((await site.stats()).peak).toBeLessThanOrEqual(6);
  });

  it("marks the URLs it could not afford once the subrequest budget is spent", async () => {
    const site = await newSite();
    const urls = [`${site.url}/redirect/2`, `${site.url}/redirect/2`, `${site.url}/site/about.html`];
    const body = await fetchAll({ urls, concurrency: 1 }, { SUBREQUEST_BUDGET: "4" });
    expect(body.results.map((result) => result.error?.code)).toEqual([
      undefined,
      "subrequest_budget",
      "subrequest_budget",
    ]);
    expect(body.subrequests).toBe(4);
    expect((await site.stats()).requests).toHaveLength(4);
  });

  it("names the fan-out in Server-Timing", async () => {
    const site = await newSite();
    const response = await call("/fetch", post({ urls: [`${site.url}/site/about.html`] }));
    expect(response.headers.get("server-timing")).toMatch(/fetch;dur=[\d.]+/);
  });

  it("streams a line per URL as it completes, before a slow URL has answered", async () => {
    const site = await newSite();
    const urls = [`${site.url}/held/first`, `${site.url}/site/about.html`];
    const response = await call("/fetch", post({ urls }, { accept: "application/x-ndjson" }));
    expect(response.status).toBe(200);
    expect(response.headers.get("content-type")).toBe("application/x-ndjson");
    const lines = ndjsonLines(response);
    // The held URL cannot answer until released below, so this line can only come from a streamed body.
    expect(await lines.next()).toMatchObject({ type: "result", index: 1, url: urls[1], ok: true });
    await site.release("first");
    expect(await lines.next()).toMatchObject({ type: "result", index: 0, url: urls[0], ok: true });
    expect(await lines.next()).toMatchObject({ type: "summary", maxInFlight: 2, subrequests: 2 });
    expect(await lines.next()).toBeUndefined();
  });

  it("refuses a loopback URL in production with a 400 and requests nothing", async () => {
    const site = await newSite();
    const urls = ["https://example.com/", `${site.url}/site/about.html`];
    const response = await call("/fetch", post({ urls }), { ENVIRONMENT: "production" });
    const message = await expectError(response, 400, "invalid_request");
    expect(message).toContain("`urls.1`");
    expect(message).toContain("loopback");
    expect((await site.stats()).requests).toEqual([]);
  });

  it.each([
    [{ urls: [] }, "urls"],
    [{ urls: Array.from({ length: 51 }, () => "https://example.com/") }, "urls"],
    [{ urls: ["https://example.com/"], timeoutMs: 99 }, "timeoutMs"],
    [{ urls: ["https://example.com/"], timeoutMs: 30_001 }, "timeoutMs"],
    [{ urls: ["https://example.com/"], concurrency: 7 }, "concurrency"],
    [{ urls: ["https://example.com/"], concurrency: 0 }, "concurrency"],
    [{ urls: ["https://example.com/"], method: "POST" }, "method"],
    [{ urls: ["https://example.com/", "ftp://example.com/"] }, "urls.1"],
    [{ urls: ["http://user:secret@example.com/"] }, "urls.0"],
    [{ urls: ["not a url"] }, "urls.0"],
  ])("refuses %j with a 400 naming `%s`", async (body, field) => {
    const message = await expectError(await call("/fetch", post(body)), 400, "invalid_request");
    expect(message).toContain(`\`${field}\``);
    expect(message).not.toContain("secret");
  });

  it("refuses malformed JSON with a 400", async () => {
    const response = await call("/fetch", {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: "{",
    });
    await expectError(response, 400, "invalid_request");
  });
});
