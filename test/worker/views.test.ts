/**
 * The SVG waterfall builder on its own: the axis, the scale, and the bars a run can produce (a zero-length step,
 * twenty steps, an error), rendered in workerd like the pages that use it.
 */
import { describe, expect, it } from "vitest";
import {
  type Bar,
  layoutWaterfall,
  MIN_BAR_WIDTH,
  niceAxis,
  outcomeColours,
  PLOT_WIDTH,
  PLOT_X,
  waterfallSvg,
} from "../../src/views/waterfall.ts";

const ok = (i: number, startMs: number, endMs: number): Bar => ({
  label: `step ${i}`,
  startMs,
  endMs,
  outcome: "ok",
});

async function svgOf(bars: Bar[], markers: { ms: number; label: string }[] = []): Promise<string> {
  return String(await waterfallSvg("Test run", bars, markers));
}

function rects(svg: string): string[] {
  return svg.match(/<rect class="bar[^>]*>/g) ?? [];
}

function attribute(tag: string, name: string): number {
  return Number(new RegExp(` ${name}="([^"]*)"`).exec(tag)?.[1]);
}

describe("the waterfall's axis", () => {
  it("picks round ticks (1, 2 or 5 times a power of ten) and ends at the first tick past the latest end", () => {
    expect(niceAxis(1003)).toEqual({ step: 200, axisMs: 1200, ticks: [0, 200, 400, 600, 800, 1000, 1200] });
    expect(niceAxis(1000).axisMs).toBe(1000);
    expect(niceAxis(5).ticks).toEqual([0, 1, 2, 3, 4, 5]);
    expect(niceAxis(73_000).step).toBe(20_000);
  });

  it("still has a 1 ms axis when every step took no time, so nothing is divided by zero", () => {
    expect(niceAxis(0)).toEqual({ step: 1, axisMs: 1, ticks: [0, 1] });
    const layout = layoutWaterfall([ok(1, 0, 0)]);
    expect(Number.isFinite(layout.rows[0]?.x)).toBe(true);
  });

  it("spaces the ticks evenly from the plot's left edge to its right edge", () => {
    const { ticks } = layoutWaterfall([ok(1, 0, 1000)]);
    expect(ticks.at(0)?.x).toBe(PLOT_X);
    expect(ticks.at(-1)?.x).toBe(PLOT_X + PLOT_WIDTH);
    const gaps = ticks.slice(1).map((tick, i) => tick.x - (ticks[i]?.x ?? 0));
    for (const gap of gaps) expect(gap).toBeCloseTo(gaps[0] ?? 0, 0);
  });
});

describe("the waterfall's bars", () => {
  it("scales start and duration onto the shared axis", () => {
    const { rows } = layoutWaterfall([ok(1, 0, 500), ok(2, 500, 1000)]);
    expect(rows.map(({ x, width }) => ({ x, width }))).toEqual([
      { x: PLOT_X, width: PLOT_WIDTH / 2 },
      { x: PLOT_X + PLOT_WIDTH / 2, width: PLOT_WIDTH / 2 },
    ]);
  });

  it("keeps a zero-length step visible, with its exact times in the tooltip", async () => {
    const svg = await svgOf([ok(1, 0, 1000), ok(2, 300, 300)]);
    const zero = rects(svg)[1] ?? "";
    expect(attribute(zero, "width")).toBe(MIN_BAR_WIDTH);
    expect(attribute(zero, "x")).toBeCloseTo(PLOT_X + 0.3 * PLOT_WIDTH, 0);
    expect(svg).toContain("<title>step 2: 300–300 ms (0 ms), ok</title>");
  });

  it("draws a 20-step run as 20 labelled rows, one below the other", async () => {
    const steps = Array.from({ length: 20 }, (_, i) => ok(i + 1, i * 100, (i + 1) * 100));
    const layout = layoutWaterfall(steps);
    expect(new Set(layout.rows.map((row) => row.y)).size).toBe(20);
    const svg = await svgOf(steps);
    expect(rects(svg)).toHaveLength(20);
    for (let i = 1; i <= 20; i++) expect(svg).toContain(`>step ${i}</text>`);
    expect(svg).toContain(`viewBox="0 0 760 ${layout.height}"`);
    // 2000 ms with round ticks every 500 ms.
    expect(svg.match(/<text class="tick"/g)).toHaveLength(5);
  });

  it("colours each outcome and names the error in the bar's tooltip", async () => {
    const svg = await svgOf([
      ok(1, 0, 100),
      { label: "db2", startMs: 0, endMs: 80, outcome: "error", note: "backend_unavailable: refused" },
      { label: "db3", startMs: 0, endMs: 5000, outcome: "timeout", note: "backend_timeout" },
    ]);
    const [good, failed, slow] = rects(svg);
    expect(good).toContain(`fill="${outcomeColours.ok}"`);
    expect(failed).toContain(`class="bar error"`);
    expect(failed).toContain(`fill="${outcomeColours.error}"`);
    expect(slow).toContain(`fill="${outcomeColours.timeout}"`);
    expect(svg).toContain("<title>db2: 0–80 ms (80 ms), error: backend_unavailable: refused</title>");
    expect(new Set(Object.values(outcomeColours)).size).toBe(3);
  });

  it("extends the axis to a marker past the last bar", async () => {
    const svg = await svgOf([ok(1, 0, 100)], [{ ms: 900, label: "sequential ended" }]);
    expect(svg).toContain('data-axis-ms="1000"');
    expect(svg).toMatch(/<line class="marker" x1="[\d.]+"[^>]*><title>sequential ended<\/title>/);
  });

  it("keeps crawled text as text: markup and quotes in labels and notes are escaped", async () => {
    const svg = await svgOf([
      {
        label: "<script>alert(1)</script>",
        startMs: 0,
        endMs: 10,
        outcome: "ok",
        note: `"><img src=x onerror=alert(1)>`,
      },
    ]);
    expect(svg).not.toContain("<script>");
    expect(svg).not.toContain("<img");
    expect(svg).toContain("&lt;script&gt;alert(1)&lt;/script&gt;");
    expect(svg).toContain("&quot;&gt;&lt;img");
  });
});
