/**
 * Size and start: the upload `wrangler deploy --dry-run` would send (total and gzip, as wrangler reports them) and
 * the Worker's startup CPU time from `wrangler check startup`, which profiles the same bundle locally and offline.
 */
import { execFile } from "node:child_process";
import { createRequire } from "node:module";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";
import { median } from "./load.ts";

/** What wrangler reported. */
export interface SizeResult {
  uploadKiB: number;
  gzipKiB: number;
  /** Median "Active" CPU time of the startup profiles: what the Worker's global scope costs to evaluate. */
  startupCpuMs: number;
  /** Median profile window: from the isolate's start to the end of its startup phase. */
  startupWindowMs: number;
  startupRuns: number;
  startupMethod: string;
  /** The wrangler that bundled and profiled, since both figures move with its version. */
  wrangler: string;
}

const run = promisify(execFile);
const projectDir = resolve(fileURLToPath(new URL("..", import.meta.url)));
const wranglerCli = join(
  dirname(createRequire(import.meta.url).resolve("wrangler/package.json")),
  "wrangler-dist/cli.js",
);

/**
 * Builds the bundle once (`--outfile` keeps the upload form for `check startup --worker`, so each profile run skips
 * the build) and profiles its startup `runs` times.
 *
 * @example
 * ```ts
 * const size = await benchSize({ tmpDir, runs: 3, signal }); // { gzipKiB: 224.1, startupCpuMs: 36.1, ... }
 * ```
 */
export async function benchSize(options: {
  tmpDir: string;
  runs: number;
  signal: AbortSignal;
}): Promise<SizeResult> {
  const bundle = join(options.tmpDir, "worker.bundle");
  const dryRun = await wrangler(
    ["deploy", "--dry-run", "--outdir", join(options.tmpDir, "dist"), "--outfile", bundle],
    options.signal,
  );
  const upload = /Total Upload: ([\d.]+) KiB \/ gzip: ([\d.]+) KiB/.exec(dryRun);
  if (!upload) throw new Error(`wrangler deploy --dry-run printed no "Total Upload" line:\n${dryRun}`);
  const profiles: { cpuMs: number; windowMs: number }[] = [];
  for (let i = 0; i < options.runs; i++) {
    const profile = join(options.tmpDir, `startup-${i}.cpuprofile`);
    const output = await wrangler(
      ["check", "startup", "--worker", bundle, "--outfile", profile],
      options.signal,
    );
    const active = /Active: ([\d.]+) ms/.exec(output);
    const window = /Profile window: ([\d.]+) ms/.exec(output);
    if (!active || !window) throw new Error(`wrangler check startup printed no profile summary:\n${output}`);
    profiles.push({ cpuMs: Number(active[1]), windowMs: Number(window[1]) });
  }
  return {
    uploadKiB: Number(upload[1]),
    gzipKiB: Number(upload[2]),
    startupCpuMs: median(profiles.map((profile) => profile.cpuMs)),
    startupWindowMs: median(profiles.map((profile) => profile.windowMs)),
    startupRuns: options.runs,
    startupMethod: "wrangler check startup (local CPU profile of the bundle's startup phase)",
    wrangler: /wrangler (\d+\.\d+\.\d+)/.exec(dryRun)?.[1] ?? "unknown",
  };
}

/** Runs the wrangler CLI from node_modules and returns everything it printed; it fails with that output. */
async function wrangler(args: string[], signal: AbortSignal): Promise<string> {
  const env = {
    ...process.env,
    WRANGLER_SEND_METRICS: "false",
    CLOUDFLARE_CF_FETCH_ENABLED: "false",
    NO_COLOR: "1",
  };
  try {
    const { stdout, stderr } = await run(process.execPath, ["--no-warnings", wranglerCli, ...args], {
      cwd: projectDir,
      env,
      signal,
      maxBuffer: 16 * 1024 * 1024,
    });
    return `${stdout}\n${stderr}`;
  } catch (error) {
    const output = error as { stdout?: string; stderr?: string };
    throw new Error(
      `wrangler ${args.join(" ")} failed: ${error instanceof Error ? error.message : String(error)}\n` +
        `${output.stdout ?? ""}${output.stderr ?? ""}`,
    );
  }
}
