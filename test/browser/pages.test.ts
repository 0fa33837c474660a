/**
 * The pictures in a real browser: Debian's Chromium against `npm run dev`. The pages must draw what the JSON says
 * (bars where the steps' times put them), work from plain forms without JavaScript on our side, keep crawled text as
 * text, and never make the browser contact another origin, /docs included.
 */
import { join } from "node:path";
import type { Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  type DevStack,
  hostileTitle,
  launchRecordingBrowser,
  quotedPaths,
  type RecordingBrowser,
  screenshotDir,
  startDevStack,
  startSite,
} from "./harness.ts";

let stack: DevStack;
let site: Awaited<ReturnType<typeof startSite>>;
let chrome: RecordingBrowser;
/** Alerts a page raised: any would mean crawled markup ran as script. */
const dialogs: string[] = [];

beforeAll(async () => {
  site = await startSite();
  stack = await startDevStack();
  chrome = await launchRecordingBrowser(stack.base);
}, 180_000);

afterAll(async () => {
  await chrome?.close();
  await stack?.stop();
  site?.close();
}, 60_000);

async function open(path: string, screenshot: string): Promise<Page> {
  const page = await chrome.context.newPage();
  page.on("dialog", (dialog) => {
    dialogs.push(dialog.message());
    void dialog.dismiss();
  });
  await page.goto(`${stack.base}${path}`);
  await page.screenshot({ path: join(screenshotDir, `${screenshot}.png`), fullPage: true });
  return page;
}

interface DrawnBar {
  x: number;
  width: number;
  startMs: number;
  endMs: number;
  group: string;
}

/** The chart's geometry and its bars, read from the SVG the browser rendered. */
async function readChart(page: Page) {
  const svg = page.locator("svg.waterfall");
  const axis = {
    axisMs: Number(await svg.getAttribute("data-axis-ms")),
    plotX: Number(await svg.getAttribute("data-plot-x")),
    plotWidth: Number(await svg.getAttribute("data-plot-width")),
  };
  const bars = await page.$$eval("svg.waterfall rect.bar", (rects) =>
    rects.map((rect) => ({
      x: Number(rect.getAttribute("x")),
      width: Number(rect.getAttribute("width")),
      startMs: Number(rect.getAttribute("data-start-ms")),
      endMs: Number(rect.getAttribute("data-end-ms")),
      group: rect.getAttribute("data-group") ?? "",
    })),
  );
  return { ...axis, bars };
}

/** The table's rows as text cells: the screen-reader alternative to the chart. */
function readTable(page: Page, index = 0): Promise<string[][]> {
  return page
    .locator("table")
    .nth(index)
    .evaluate((table) =>
      [...table.querySelectorAll("tbody tr")].map((row) =>
        [...row.querySelectorAll("td")].map((cell) => cell.textContent ?? ""),
      ),
    );
}

function expectPlacedOnAxis(chart: Awaited<ReturnType<typeof readChart>>, bar: DrawnBar) {
  const scale = chart.plotWidth / chart.axisMs;
  expect(bar.x).toBeCloseTo(chart.plotX + bar.startMs * scale, 0);
  expect(bar.width).toBeCloseTo(Math.max(2, (bar.endMs - bar.startMs) * scale), 0);
}

describe("waterfall pages", () => {
  it("draws one bar per step of a sequential run, placed by its start and end", async () => {
    const page = await open("/timing/sequential?tasks=4&ms=100", "timing-sequential");
    const chart = await readChart(page);
    const rows = await readTable(page);
    expect(chart.bars).toHaveLength(4);
    // The bars carry the table's times (the table holds the JSON's startMs/endMs), and sit where those put them.
    expect(chart.bars.map((bar) => [bar.startMs, bar.endMs])).toEqual(
      rows.map((row) => [Number(row[2]), Number(row[3])]),
    );
    for (const bar of chart.bars) expectPlacedOnAxis(chart, bar);
    for (const [i, bar] of chart.bars.entries())
      if (i > 0) expect(bar.x).toBeGreaterThanOrEqual(chart.bars[i - 1]!.x);
    expect(await page.locator("svg.waterfall text.tick").count()).toBeGreaterThanOrEqual(2);
    await page.close();
  });

  it("puts the concurrent bars of /timing/compare inside the sequential span, on one axis", async () => {
    const page = await open("/timing/compare?tasks=5&ms=200", "timing-compare");
    const chart = await readChart(page);
    const sequential = chart.bars.filter((bar) => bar.group === "sequential");
    const concurrent = chart.bars.filter((bar) => bar.group === "concurrent");
    expect([sequential.length, concurrent.length]).toEqual([5, 5]);
    for (const bar of chart.bars) expectPlacedOnAxis(chart, bar);
    const sequentialEnd = Math.max(...sequential.map((bar) => bar.x + bar.width));
    const concurrentEnd = Math.max(...concurrent.map((bar) => bar.x + bar.width));
    for (const bar of concurrent) {
      expect(bar.x).toBeGreaterThanOrEqual(chart.plotX);
      expect(bar.x + bar.width).toBeLessThanOrEqual(sequentialEnd);
    }
    // Five 200 ms waits at once end well before five in a row.
    expect(concurrentEnd - chart.plotX).toBeLessThan((sequentialEnd - chart.plotX) / 2);
    await page.close();
  });

  it("shows a crawl's pages with hostile titles and quoted URLs as plain text", async () => {
    const path = `/crawl?url=${encodeURIComponent(site.url)}&maxPages=5`;
    const page = await open(path, "crawl");
    const chart = await readChart(page);
    const rows = await readTable(page);
    expect(chart.bars).toHaveLength(rows.length);
    expect(rows.length).toBe(4);
    for (const bar of chart.bars) expectPlacedOnAxis(chart, bar);
    const titles = rows.map((row) => row[3]);
    expect(titles).toContain(hostileTitle);
    for (const path of quotedPaths) expect(titles).toContain(`"${path}" 'quoted'`);
    const paths = rows.map((row) => new URL(row[0] ?? "").pathname);
    expect(paths).toEqual(expect.arrayContaining(["/say%22hi%22", "/it's"]));
    expect(await page.locator("script").count()).toBe(0);
    expect(await page.title()).toContain("Crawl of");
    await page.close();
  });

  it("draws one bar per database for the Redis and SQL fan-outs", async () => {
    for (const [path, name] of [
      ["/redis/fanout/car", "redis-fanout"],
      ["/sql/fanout", "sql-fanout"],
    ] as const) {
      const page = await open(path, name);
      const chart = await readChart(page);
      const rows = await readTable(page);
      expect(chart.bars.length, path).toBe(rows.length);
      expect(chart.bars.length, path).toBeGreaterThanOrEqual(1);
      for (const bar of chart.bars) expectPlacedOnAxis(chart, { ...bar, startMs: 0 });
      await page.close();
    }
  });

  it("renders a failed request as a page with the error visible", async () => {
    const page = await open("/timing/sequential?tasks=99", "error");
    expect(await page.locator("[role=alert]").textContent()).toContain("invalid_request");
    await page.close();
  });
});

describe("/docs", () => {
  it("lists every route of /openapi.json once its scripts have run", async () => {
    const document = (await (await fetch(`${stack.base}/openapi.json`)).json()) as { paths: object };
    const page = await chrome.context.newPage();
    await page.goto(`${stack.base}/docs`);
    await page.getByText("Async vs sync").first().waitFor({ timeout: 30_000 });
    const text = (await page.locator("body").textContent()) ?? "";
    await page.screenshot({ path: join(screenshotDir, "docs.png") });
    const missing = Object.keys(document.paths).filter((path) => !text.includes(path));
    expect(missing).toEqual([]);
    await page.close();
  });
});

describe("the landing page", () => {
  async function submit(formAction: string, fill: Record<string, string> = {}): Promise<Page> {
    const page = await open("/", "landing");
    const form = page.locator(`form[action="${formAction}"]`);
    for (const [name, value] of Object.entries(fill)) await form.locator(`[name="${name}"]`).fill(value);
    await Promise.all([page.waitForLoadState("load"), form.locator("button").click()]);
    await page.waitForURL((url) => url.pathname !== "/");
    return page;
  }

  it("runs timing compare from its form", async () => {
    const page = await submit("/timing/compare", { tasks: "3", ms: "50" });
    expect(new URL(page.url()).pathname).toBe("/timing/compare");
    expect(await page.locator("h1").textContent()).toContain("Sequential vs concurrent");
    await page.close();
  });

  it("runs a crawl from its form", async () => {
    const page = await submit("/crawl", { url: site.url, maxPages: "2" });
    expect(await page.locator("h1").textContent()).toContain("Crawl of");
    await page.close();
  });

  it("posts a fetch list from its form and shows the results, quoted URLs as sent", async () => {
    const urls = [site.url, ...quotedPaths.map((path) => new URL(path, site.url).origin + path)];
    const page = await submit("/fetch", { urls: urls.join("\n") });
    expect(await page.locator("h1").textContent()).toBe("Fetched 3 URLs");
    expect((await readChart(page)).bars).toHaveLength(3);
    expect((await readTable(page)).map((row) => row[0])).toEqual(urls);
    await page.screenshot({ path: join(screenshotDir, "fetch.png"), fullPage: true });
    await page.close();
  });

  it("reads a Redis key from its form", async () => {
    const page = await submit("/redis/fanout", { key: "car" });
    expect(new URL(page.url()).pathname).toBe("/redis/fanout/car");
    expect(await page.locator("h1").textContent()).toContain('"car"');
    await page.close();
  });

  it("starts a crawl job from its form, whose page refreshes itself until the job ends", async () => {
    const slowSite = await startSite(1);
    try {
      const page = await submit("/crawl/jobs", { url: slowSite.url, maxPages: "10" });
      expect(new URL(page.url()).pathname).toMatch(/^\/crawl\/jobs\/[\w-]{22}$/);
      let reloads = 0;
      page.on("framenavigated", (frame) => {
        if (frame === page.mainFrame()) reloads++;
      });
      const status = () =>
        page
          .locator(".job-status")
          .getAttribute("data-status", { timeout: 1000 })
          .catch(() => null);
      // Four pages one second apart (Crawl-delay) outlast the 2-second refresh at least once.
      await expect.poll(status, { timeout: 90_000, interval: 250 }).toBe("completed");
      expect(reloads).toBeGreaterThanOrEqual(1);
      expect(await page.locator('meta[http-equiv="refresh"]').count()).toBe(0);
      const progress = page.locator("progress");
      expect(await progress.getAttribute("value")).toBe(await progress.getAttribute("max"));
      await page.screenshot({ path: join(screenshotDir, "crawl-job.png"), fullPage: true });
      await page.close();
    } finally {
      slowSite.close();
    }
  }, 120_000);

  it("lists cars from the SQL form", async () => {
    const page = await submit("/sql/cars", { make: "Toyota" });
    expect(new URL(page.url()).searchParams.get("make")).toBe("Toyota");
    const body = JSON.parse((await page.locator("body").textContent()) ?? "") as {
      items: { make: string }[];
    };
    expect(body.items.every((car) => car.make === "Toyota")).toBe(true);
    await page.close();
  });
});

// Last, over everything the tests above loaded (vitest runs a file's tests in order).
describe("the whole run", () => {
  it("made no request to another origin, /docs and its UI included, and ran no crawled script", () => {
    // The recorder saw the pages and the assets they load, so an empty off-origin list means something.
    expect(chrome.requests).toEqual(expect.arrayContaining([`${stack.base}/vendor/scalar-api-reference.js`]));
    expect(chrome.requests.some((url) => url.startsWith(`${stack.base}/views.css`))).toBe(true);
    expect(chrome.offOrigin()).toEqual([]);
    expect(dialogs).toEqual([]);
  });
});
