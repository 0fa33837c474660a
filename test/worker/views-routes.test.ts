/**
 * The pictures wired into the real routes: browsers get pages drawn from the same answers curl gets as JSON,
 * errors included, and the landing page's forms reach routes that take them.
 */
import { describe, expect, it } from "vitest";
import { PAGE_CSP } from "../../src/middleware/html-view.ts";
import { call, expectError, testEnv } from "./support.ts";
import { newSite } from "./test-site.ts";

const browser = { accept: "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8" };

async function page(path: string, init: RequestInit = {}) {
  const response = await call(path, { ...init, headers: { ...browser, ...init.headers } });
  expect(response.headers.get("content-type")).toBe("text/html; charset=utf-8");
  expect(response.headers.get("content-security-policy")).toBe(PAGE_CSP);
  return { status: response.status, html: await response.text() };
}

function bars(html: string): string[] {
  return html.match(/<rect class="bar[^>]*>/g) ?? [];
}

describe("/timing/compare", () => {
  it("answers JSON with both runs' steps, each timed from its own start", async () => {
    const response = await call("/timing/compare?tasks=3&ms=20");
    const body = (await response.json()) as Record<string, { i: number; startMs: number; endMs: number }[]>;
    expect(body.sequential?.map((step) => step.i)).toEqual([0, 1, 2]);
    expect(body.concurrent?.map((step) => step.i)).toEqual([0, 1, 2]);
    expect(body.sequential?.[0]?.startMs).toBeLessThan(20);
    expect(body.concurrent?.every((step) => step.startMs < 20)).toBe(true);
  });

  it("draws both runs on one chart for a browser, with the JSON's numbers in its table", async () => {
    const { status, html } = await page("/timing/compare?tasks=3&ms=20");
    expect(status).toBe(200);
    expect(bars(html).filter((bar) => bar.includes('data-group="sequential"'))).toHaveLength(3);
    expect(bars(html).filter((bar) => bar.includes('data-group="concurrent"'))).toHaveLength(3);
    expect(html.match(/<tr><td>(sequential|concurrent)<\/td>/g)).toHaveLength(6);
  });
});

describe("pages of the other routes", () => {
  it("keeps JSON for curl on every route that has a page", async () => {
    for (const path of ["/", "/timing/sequential?tasks=1&ms=0", "/redis/fanout/car", "/sql/fanout"]) {
      const response = await call(path);
      expect(response.headers.get("content-type"), path).toBe("application/json; charset=utf-8");
      expect(response.headers.get("vary"), path).toContain("Accept");
    }
  });

  it("draws one bar per step of a sequential run", async () => {
    const { html } = await page("/timing/sequential?tasks=4&ms=0");
    expect(bars(html)).toHaveLength(4);
  });

  it("draws one bar per database for the Redis and SQL fan-outs", async () => {
    expect(bars((await page("/redis/fanout/car")).html).length).toBeGreaterThanOrEqual(1);
    expect(bars((await page("/sql/fanout")).html).length).toBeGreaterThanOrEqual(1);
  });

  it("shows a bad parameter as an error page with the 400 status", async () => {
    const { status, html } = await page("/timing/sequential?tasks=99");
    expect(status).toBe(400);
    expect(html).toMatch(
      /<p class="error-note" role="alert"><strong>invalid_request<\/strong>: Query parameter `tasks`/,
    );
  });

  it("serves the landing page at / for a browser: a form for each pattern, GET where the route is GET", async () => {
    const { status, html } = await page("/");
    expect(status).toBe(200);
    const forms = [...html.matchAll(/<form method="(\w+)" action="([^"]+)"/g)].map((m) => `${m[1]} ${m[2]}`);
    expect(forms).toEqual([
      "get /timing/compare",
      "post /fetch",
      "get /crawl",
      "post /crawl/jobs",
      "get /redis/fanout",
      "get /sql/cars",
    ]);
    // The tutorial's Python beside the edge TypeScript, each snippet under 10 lines.
    const snippets = [...html.matchAll(/<pre><code>([\s\S]*?)<\/code><\/pre>/g)].map((m) => m[1] ?? "");
    expect(snippets).toHaveLength(12);
    for (const code of snippets) expect(code.split("\n").length).toBeLessThan(10);
  });
});

describe("the landing page's forms", () => {
  it("sends the Redis key form on to the key's fan-out page", async () => {
    const response = await call("/redis/fanout?key=car", { headers: browser });
    expect(response.status).toBe(303);
    expect(response.headers.get("location")).toBe("/redis/fanout/car");
    await expectError(await call("/redis/fanout?key=%20bad"), 400, "invalid_request");
    // No key names no hash, with or without the trailing slash the router treats alike.
    await expectError(await call("/redis/fanout"), 404, "not_found");
    await expectError(await call("/redis/fanout/"), 404, "not_found");
  });

  it("posts a fetch list as a form and gets the fan-out's page", async () => {
    const site = await newSite();
    const urls = [`${site.url}/a`, `${site.url}/b`];
    const { status, html } = await page("/fetch", {
      method: "POST",
      headers: { "content-type": "application/x-www-form-urlencoded", "sec-fetch-site": "same-origin" },
      body: new URLSearchParams({ urls: urls.join("\r\n") }).toString(),
    });
    expect(status).toBe(200);
    expect(bars(html)).toHaveLength(2);
    // A GET page offers the curl line for the same JSON; a form post has none to offer.
    expect(html).not.toContain("<code>curl");
    expect((await site.stats()).requests).toEqual(expect.arrayContaining(["GET /a", "GET /b"]));
  });

  it("refuses a fetch form posted from another site before fetching anything", async () => {
    const response = await call("/fetch", {
      method: "POST",
      headers: { "content-type": "application/x-www-form-urlencoded", "sec-fetch-site": "cross-site" },
      body: "urls=http%3A%2F%2Fexample.com%2F",
    });
    await expectError(response, 415, "unsupported_media_type");
  });
});

describe("crawl jobs", () => {
  it("starts a job from a form post and sends the browser to the job's page", async () => {
    const site = await newSite();
    const response = await call("/crawl/jobs", {
      method: "POST",
      headers: {
        ...browser,
        "content-type": "application/x-www-form-urlencoded",
        "sec-fetch-site": "same-origin",
        authorization: `Bearer ${testEnv.API_TOKEN}`,
      },
      body: new URLSearchParams({ url: `${site.url}/`, maxPages: "3" }).toString(),
    });
    expect(response.status).toBe(303);
    const location = response.headers.get("location") ?? "";
    expect(location).toMatch(/^\/crawl\/jobs\/[\w-]{22}$/);

    const json = (await (await call(location)).json()) as { options: { maxPages: number } };
    expect(json.options.maxPages).toBe(3);
    const { status, html } = await page(location);
    expect(status).toBe(200);
    expect(html).toMatch(/<p class="job-status" data-status="(queued|running|completed)">/);
    expect(html).toContain(`<code>${site.url}/</code>`);
  });

  it("shows an unknown job as a 404 page", async () => {
    const { status, html } = await page("/crawl/jobs/AAAAAAAAAAAAAAAAAAAAAA");
    expect(status).toBe(404);
    expect(html).toContain("<strong>not_found</strong>");
  });
});
