import { html } from "hono/html";
import type { TimingCompare, TimingRun } from "../schemas/timing.ts";
import { legend, page, table } from "./page.ts";
import { type Bar, waterfallSvg } from "./waterfall.ts";

type Step = TimingRun["steps"][number];

const explain = {
  sequential: html`Each wait starts when the previous one ended, like <code>await</code> in a <code>for</code> loop.`,
  concurrent: html`Every wait starts at once and the run ends with the slowest, like <code>asyncio.gather</code>.`,
};

function stepBars(steps: Step[], group: string): Bar[] {
  return steps.map((step) => ({
    label: `${group} ${step.i + 1}`,
    startMs: step.startMs,
    endMs: step.endMs,
    outcome: "ok",
    group,
  }));
}

function stepRows(steps: Step[], group: string) {
  return steps.map((step) => [group, step.i + 1, step.startMs, step.endMs, step.endMs - step.startMs]);
}

const stepHeaders = ["run", "step", "start (ms)", "end (ms)", "duration (ms)"];

/**
 * The page of one timing run: its steps as a waterfall and a table.
 *
 * @example
 * ```ts
 * .get("/path", endpoint(spec), htmlView(timingRunPage), handler); // the handler's JSON becomes this page
 * ```
 */
export function timingRunPage(run: TimingRun, url?: string) {
  const title = `${run.mode === "sequential" ? "Sequential" : "Concurrent"}: ${run.tasks} × ${run.ms} ms`;
  return page({
    title,
    url,
    body: html`<p>${explain[run.mode]} Took <strong>${run.elapsedMs} ms</strong>; the ideal is ${run.idealMs} ms.</p>
${legend}
${waterfallSvg(title, stepBars(run.steps, run.mode))}
${table("When each step ran, in ms since the run began", stepHeaders, stepRows(run.steps, run.mode))}`,
  });
}

/**
 * Both runs of /timing/compare on one axis, each from its own start, so the concurrent bars sit inside the
 * sequential span and the speedup is visible at a glance.
 *
 * @example
 * ```ts
 * .get("/path", endpoint(spec), htmlView(timingComparePage), handler); // the handler's JSON becomes this page
 * ```
 */
export function timingComparePage(result: TimingCompare, url?: string) {
  const title = `Sequential vs concurrent: ${result.tasks} × ${result.ms} ms`;
  const bars = [...stepBars(result.sequential, "sequential"), ...stepBars(result.concurrent, "concurrent")];
  const markers = [
    { ms: result.sequentialMs, label: `sequential run ended at ${result.sequentialMs} ms` },
    { ms: result.concurrentMs, label: `concurrent run ended at ${result.concurrentMs} ms` },
  ];
  return page({
    title,
    url,
    body: html`<p>The same ${result.tasks} waits of ${result.ms} ms, first one after another
(<strong>${result.sequentialMs} ms</strong>), then all at once (<strong>${result.concurrentMs} ms</strong>):
<strong>${result.speedup}×</strong> faster. Both runs are drawn from their own start; the dashed lines mark where each ended.</p>
${legend}
${waterfallSvg(title, bars, markers)}
${table("When each step ran, in ms since its run began", stepHeaders, [
  ...stepRows(result.sequential, "sequential"),
  ...stepRows(result.concurrent, "concurrent"),
])}`,
  });
}
