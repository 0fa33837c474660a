/**
 * Node's CPU time to evaluate each built bundle (issue 12's steadier cross-check of startup): many fresh child
 * processes, ours and the hello world interleaved so both feel the same machine load, and the change against the
 * newest committed full run in bench/results.
 */
import { execFile } from "node:child_process";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";
import { fmt, signed } from "./format.ts";
import { median } from "./load.ts";
import { projectDir } from "./wrangler.ts";

/** Medians over `runs` imports of each bundle, each in a fresh Node process. */
export interface EvalCpuResult {
  runs: number;
  oursCpuMs: number;
  helloCpuMs: number;
  /** Every run's figure in run order, to judge the noise behind the medians. */
  oursRunsMs: number[];
  helloRunsMs: number[];
  /** oursCpuMs / helloCpuMs, taken within this run. */
  ratio: number;
  /** The newest full run committed under bench/results, if any, and its figures if it has them. */
  previousFile: string | null;
  previous: { oursCpuMs: number; helloCpuMs: number } | null;
}

const run = promisify(execFile);
const childScript = fileURLToPath(new URL("eval-cpu-child.ts", import.meta.url));

/**
 * Imports each bundle `runs` times, alternating ours and hello, and compares with the previous committed run.
 *
 * @example
 * ```ts
 * const cpu = await measureEvalCpu({ ours: "/tmp/ours/dist/index.js", hello: "/tmp/hello/dist/index.js", runs: 20 });
 * ```
 */
export async function measureEvalCpu(options: {
  ours: string;
  hello: string;
  runs: number;
  signal?: AbortSignal;
}): Promise<EvalCpuResult> {
  const ours: number[] = [];
  const hello: number[] = [];
  for (let i = 0; i < options.runs; i++) {
    ours.push(await evalCpuMs(options.ours, options.signal));
    hello.push(await evalCpuMs(options.hello, options.signal));
  }
  const oursCpuMs = median(ours);
  const helloCpuMs = median(hello);
  return {
    runs: options.runs,
    oursCpuMs,
    helloCpuMs,
    oursRunsMs: ours,
    helloRunsMs: hello,
    ratio: oursCpuMs / helloCpuMs,
    ...(await previousFigure(options.signal)),
  };
}

/** One fresh `node` that imports `module` and reports the CPU time of that import alone. */
async function evalCpuMs(module: string, signal?: AbortSignal): Promise<number> {
  const { stdout } = await run(process.execPath, ["--no-warnings", childScript, module], { signal });
  const { cpuMs } = JSON.parse(stdout) as { cpuMs: number };
  return cpuMs;
}

/**
 * The newest full run committed under bench/results and its eval-CPU figures, as committed (a run written but not
 * yet committed does not count); null figures when it predates them.
 */
async function previousFigure(
  signal?: AbortSignal,
): Promise<Pick<EvalCpuResult, "previousFile" | "previous">> {
  const git = (args: string[]) => run("git", args, { cwd: projectDir, signal, maxBuffer: 64 * 1024 * 1024 });
  let files: string[];
  try {
    const { stdout } = await git(["ls-files", "--", "bench/results/*.json"]);
    files = stdout.split("\n").filter((file) => file.endsWith(".json") && !file.endsWith("-quick.json"));
  } catch {
    return { previousFile: null, previous: null }; // not a git checkout: nothing committed to compare with
  }
  const newest = files.sort().at(-1);
  if (!newest) return { previousFile: null, previous: null };
  const { stdout } = await git(["show", `HEAD:${newest}`]);
  const figure = (JSON.parse(stdout) as { size?: { evalCpu?: Partial<EvalCpuResult> } }).size?.evalCpu;
  if (typeof figure?.oursCpuMs !== "number" || typeof figure.helloCpuMs !== "number") {
    return { previousFile: newest, previous: null };
  }
  return { previousFile: newest, previous: { oursCpuMs: figure.oursCpuMs, helloCpuMs: figure.helloCpuMs } };
}

/**
 * This run's figure for our bundle against the previous committed run, in words for both reports.
 *
 * @example
 * ```ts
 * describeChange(cpu); // "previous committed run (2026-11-21T07-51-19Z.json, 212.4 ms): -95.1 ms (-44.8%)"
 * ```
 */
export function describeChange(cpu: EvalCpuResult): string {
  const file = cpu.previousFile?.split("/").at(-1);
  if (!cpu.previous) {
    return `previous committed run: no previous figure${file ? ` (${file} predates it)` : ""}`;
  }
  const delta = cpu.oursCpuMs - cpu.previous.oursCpuMs;
  const percent = (delta / cpu.previous.oursCpuMs) * 100;
  const previous = `${file}, ${fmt(cpu.previous.oursCpuMs, 1)} ms`;
  return `previous committed run (${previous}): ${signed(delta)} ms (${signed(percent)}%)`;
}
