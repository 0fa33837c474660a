/** The waterfall of the HTML pages, drawn with characters for the terminal. */
import { niceAxis } from "../src/views/waterfall.ts";

/** One row: when something ran, in ms since its run began. */
export interface TextBar {
  label: string;
  startMs: number;
  endMs: number;
}

/**
 * Bars on one ms axis with the same round ticks as the pages: a tick ruler, then one row a bar with its exact times.
 * A bar shorter than a column still shows one block, so no step disappears.
 *
 * @example
 * ```ts
 * console.log(textWaterfall([{ label: "call 1", startMs: 0, endMs: 1003 }]));
 * ```
 */
export function textWaterfall(bars: TextBar[], columns = 50): string {
  const { axisMs, ticks } = niceAxis(Math.max(0, ...bars.map((bar) => bar.endMs)));
  const column = (ms: number) => Math.round((Math.max(0, ms) / axisMs) * columns);
  const labelWidth = Math.max(0, ...bars.map((bar) => bar.label.length));
  const indent = " ".repeat(labelWidth + 2);

  let scale = "";
  let ruler = "-".repeat(columns + 1);
  for (const tick of ticks) {
    const at = column(tick);
    const text = tick >= 1000 ? `${tick / 1000} s` : `${tick} ms`;
    // A label that would run into the previous one is left out; its tick mark stays on the ruler.
    if (at >= scale.length + (scale ? 1 : 0)) scale = scale.padEnd(at) + text;
    ruler = `${ruler.slice(0, at)}+${ruler.slice(at + 1)}`;
  }

  const rows = bars.map(function textRow(bar) {
    const start = column(bar.startMs);
    const length = Math.max(1, column(bar.endMs) - start);
    const line = `${" ".repeat(start)}${"█".repeat(length)}`.padEnd(columns + 1);
    return `${bar.label.padEnd(labelWidth)}  ${line}  ${bar.startMs}–${bar.endMs} ms`;
  });
  return [indent + scale, indent + ruler, ...rows].join("\n");
}
