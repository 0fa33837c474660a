/**
 * Async vs sync: `/timing/sequential` and `/timing/concurrent` at 2, 6 and 20 tasks of 100 ms, each against its
 * own ideal (tasks × delay one after another, one delay all at once), using the Worker's own clock (`elapsedMs`).
 */
import { median } from "./load.ts";
import { getJson } from "./net.ts";

/** One mode at one task count, the median of `runs` requests. */
export interface TimingRow {
  mode: "sequential" | "concurrent";
  tasks: number;
  delayMs: number;
  runs: number;
  /** As the Worker measured it: from the first step's start to the last step's end. */
  elapsedMs: number;
  idealMs: number;
  /** elapsed / ideal. */
  ratio: number;
  /** What each request costs beyond its delay: (elapsed − ideal) / tasks in turn, elapsed − ideal all at once. */
  overheadMs: number;
  /** The whole request as the bench saw it, for comparison with the Worker's own figure. */
  wallMs: number;
}

interface TimingAnswer {
  elapsedMs: number;
  idealMs: number;
}

/**
 * Measures both modes at every task count, alternating them so drift on a shared machine hits both alike.
 *
 * @example
 * ```ts
 * const rows = await benchTiming("http://127.0.0.1:8787", { tasks: [2, 6, 20], delayMs: 100, runs: 5, signal });
 * ```
 */
export async function benchTiming(
  workerUrl: string,
  options: { tasks: number[]; delayMs: number; runs: number; signal: AbortSignal },
): Promise<TimingRow[]> {
  const { delayMs, runs, signal } = options;
  // The first request through the SELF binding pays for its setup; that is start-up, not the pattern.
  await getJson(`${workerUrl}/timing/concurrent?tasks=2&ms=0`, signal);
  const rows: TimingRow[] = [];
  for (const tasks of options.tasks) {
    const samples = { sequential: [] as Sample[], concurrent: [] as Sample[] };
    for (let run = 0; run < runs; run++) {
      for (const mode of ["sequential", "concurrent"] as const) {
        samples[mode].push(await measure(workerUrl, mode, tasks, delayMs, signal));
      }
    }
    for (const mode of ["sequential", "concurrent"] as const) {
      const elapsedMs = median(samples[mode].map((sample) => sample.elapsedMs));
      const idealMs = mode === "sequential" ? tasks * delayMs : delayMs;
      const extraMs = elapsedMs - idealMs;
      rows.push({
        mode,
        tasks,
        delayMs,
        runs,
        elapsedMs,
        idealMs,
        ratio: elapsedMs / idealMs,
        overheadMs: mode === "sequential" ? extraMs / tasks : extraMs,
        wallMs: median(samples[mode].map((sample) => sample.wallMs)),
      });
    }
  }
  return rows;
}

interface Sample {
  elapsedMs: number;
  wallMs: number;
}

async function measure(
  workerUrl: string,
  mode: "sequential" | "concurrent",
  tasks: number,
  delayMs: number,
  signal: AbortSignal,
): Promise<Sample> {
  const started = performance.now();
  const answer = await getJson<TimingAnswer>(
    `${workerUrl}/timing/${mode}?tasks=${tasks}&ms=${delayMs}`,
    signal,
  );
  return { elapsedMs: answer.elapsedMs, wallMs: performance.now() - started };
}
