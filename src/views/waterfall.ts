import { html } from "hono/html";

/** How a step, subrequest, page or database ended; each has its own colour. */
export type Outcome = "ok" | "error" | "timeout";

/** One row of a waterfall: when something ran, in ms since the run began. */
export interface Bar {
  label: string;
  startMs: number;
  endMs: number;
  outcome: Outcome;
  /** Why it failed, or what it returned; shown in the bar's tooltip. */
  note?: string;
  /** Which run the bar belongs to, when a chart shows several (the compare page). */
  group?: string;
}

/** A dashed vertical line across the chart, e.g. where a run ended. */
export interface Marker {
  ms: number;
  label: string;
}

// One fixed coordinate system (the SVG scales to the page with viewBox), so positions are plain numbers.
const WIDTH = 760;
const LABEL_WIDTH = 190;
const RIGHT_MARGIN = 16;
const AXIS_HEIGHT = 30;
const ROW_HEIGHT = 22;
const BAR_HEIGHT = 14;
/** A zero-length step still gets a visible sliver; its tooltip and the table keep the exact times. */
export const MIN_BAR_WIDTH = 2;
export const PLOT_X = LABEL_WIDTH;
export const PLOT_WIDTH = WIDTH - LABEL_WIDTH - RIGHT_MARGIN;

export const outcomeColours: Record<Outcome, string> = {
  ok: "#2b6cb0",
  error: "#c53030",
  timeout: "#c05621",
};

/**
 * A round tick step (1, 2 or 5 times a power of ten) giving at most six intervals, and the axis end: the first
 * tick at or past `maxMs`. An empty or all-zero run still gets a 1 ms axis, so nothing divides by zero.
 *
 * @example
 * ```ts
 * niceAxis(1003); // { step: 200, axisMs: 1200, ticks: [0, 200, 400, 600, 800, 1000, 1200] }
 * ```
 */
export function niceAxis(maxMs: number): { step: number; axisMs: number; ticks: number[] } {
  const max = Math.max(1, Math.ceil(maxMs));
  const rough = max / 6;
  const magnitude = 10 ** Math.floor(Math.log10(rough));
  const step = Math.max(1, [1, 2, 5, 10].map((m) => m * magnitude).find((s) => s >= rough) ?? 10 * magnitude);
  const axisMs = Math.ceil(max / step) * step;
  const ticks = Array.from({ length: Math.round(axisMs / step) + 1 }, (_, i) => i * step);
  return { step, axisMs, ticks };
}

/** Where each bar goes: x and width in SVG units on the shared ms axis. */
export interface Layout {
  axisMs: number;
  ticks: { ms: number; x: number }[];
  rows: { bar: Bar; x: number; width: number; y: number }[];
  height: number;
  x(ms: number): number;
}

/**
 * Places `bars` on one ms axis (ending at `axisMs`, or the next tick after the latest end), one row each, in order.
 *
 * @example
 * ```ts
 * layoutWaterfall([{ label: "step 1", startMs: 0, endMs: 1000, outcome: "ok" }]).rows[0].width; // PLOT_WIDTH
 * ```
 */
export function layoutWaterfall(bars: Bar[], axisMs?: number): Layout {
  const latest = Math.max(0, axisMs ?? 0, ...bars.map((bar) => bar.endMs));
  const axis = niceAxis(latest);
  const scale = PLOT_WIDTH / axis.axisMs;
  const x = (ms: number) => round(PLOT_X + Math.max(0, ms) * scale);
  const rows = bars.map((bar, i) => ({
    bar,
    x: x(bar.startMs),
    width: Math.max(MIN_BAR_WIDTH, round(Math.max(0, bar.endMs - bar.startMs) * scale)),
    y: AXIS_HEIGHT + i * ROW_HEIGHT,
  }));
  return {
    axisMs: axis.axisMs,
    ticks: axis.ticks.map((ms) => ({ ms, x: x(ms) })),
    rows,
    height: AXIS_HEIGHT + Math.max(1, bars.length) * ROW_HEIGHT + 4,
    x,
  };
}

/**
 * The waterfall as an inline SVG: ticks on a shared ms axis, one labelled bar a row coloured by outcome, each
 * with a `<title>` holding its exact times. Every text goes through `html`, so crawled titles stay text.
 *
 * @example
 * ```ts
 * const svg = waterfallSvg("Sequential run", steps.map(stepBar));
 * ```
 */
export function waterfallSvg(caption: string, bars: Bar[], markers: Marker[] = []) {
  const layout = layoutWaterfall(bars, Math.max(0, ...markers.map((marker) => marker.ms)));
  const bottom = layout.height;
  return html`<svg class="waterfall" viewBox="0 0 ${WIDTH} ${bottom}" role="img" aria-label="${caption}: a waterfall chart; the table below has the same data" data-axis-ms="${layout.axisMs}" data-plot-x="${PLOT_X}" data-plot-width="${PLOT_WIDTH}" font-family="system-ui, sans-serif" font-size="11">
${layout.ticks.map(
  // The last label ends at its tick, so it stays inside the chart.
  (tick, i, all) =>
    html`<line x1="${tick.x}" y1="${AXIS_HEIGHT - 6}" x2="${tick.x}" y2="${bottom}" stroke="#d0d7de"/><text class="tick" x="${tick.x}" y="${AXIS_HEIGHT - 10}" text-anchor="${i === all.length - 1 ? "end" : "middle"}" fill="#444">${tick.ms} ms</text>`,
)}
${layout.rows.map(function drawRow({ bar, x, width, y }) {
  const ms = Math.max(0, bar.endMs - bar.startMs);
  const title = `${bar.label}: ${bar.startMs}–${bar.endMs} ms (${ms} ms), ${bar.outcome}${bar.note ? `: ${bar.note}` : ""}`;
  const textY = y + BAR_HEIGHT / 2 + 4;
  return html`<g class="row"><text x="${PLOT_X - 8}" y="${textY}" text-anchor="end" fill="#222">${shorten(bar.label)}</text><rect class="bar ${bar.outcome}" x="${x}" y="${y + 2}" width="${width}" height="${BAR_HEIGHT}" rx="2" fill="${outcomeColours[bar.outcome]}" data-start-ms="${bar.startMs}" data-end-ms="${bar.endMs}" data-group="${bar.group ?? ""}"><title>${title}</title></rect>${durationText(x, width, textY, ms, bar.outcome)}</g>`;
})}
${markers.map(
  (marker) =>
    html`<line class="marker" x1="${layout.x(marker.ms)}" y1="${AXIS_HEIGHT - 4}" x2="${layout.x(marker.ms)}" y2="${bottom}" stroke="#555" stroke-dasharray="4 3"><title>${marker.label}</title></line>`,
)}
</svg>`;
}

// After the bar when it fits, else inside it in white, else before it.
function durationText(x: number, width: number, y: number, ms: number, outcome: Outcome) {
  const text = outcome === "ok" ? `${ms} ms` : `${ms} ms ${outcome}`;
  const room = text.length * 6 + 8;
  if (x + width + room <= PLOT_X + PLOT_WIDTH)
    return html`<text x="${x + width + 4}" y="${y}" fill="#222">${text}</text>`;
  if (width >= room)
    return html`<text x="${x + width - 4}" y="${y}" text-anchor="end" fill="#fff">${text}</text>`;
  return html`<text x="${x - 4}" y="${y}" text-anchor="end" fill="#222">${text}</text>`;
}

/** Labels are cut to fit the label column; the full text is in the tooltip and the table. */
function shorten(label: string): string {
  return label.length > 30 ? `${label.slice(0, 29)}…` : label;
}

function round(value: number): number {
  return Math.round(value * 10) / 10;
}
