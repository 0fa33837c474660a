/**
 * The wrangler CLI from node_modules, as the size check and the bench run it: `deploy --dry-run` for the sizes
 * wrangler would upload, `check startup` for the startup profile of a built bundle.
 */
import { execFile } from "node:child_process";
import { readFile } from "node:fs/promises";
import { createRequire } from "node:module";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";

/** One dry-run build: the sizes wrangler reported and where it wrote the bundle in its two forms. */
export interface Build {
  /** "Total Upload" as wrangler prints it: every module of the upload, raw and gzip-compressed. */
  rawKiB: number;
  gzipKiB: number;
  /** The upload form (`--outfile`), which `wrangler check startup --worker` profiles. */
  uploadFile: string;
  /** The bundled main module (`--outdir`), which plain Node can import. */
  module: string;
  wrangler: string;
}

const run = promisify(execFile);
export const projectDir = resolve(fileURLToPath(new URL("..", import.meta.url)));
const wranglerCli = join(
  dirname(createRequire(import.meta.url).resolve("wrangler/package.json")),
  "wrangler-dist/cli.js",
);

/**
 * Bundles the Worker of `config` exactly as `wrangler deploy` would, into `outDir`, without uploading.
 *
 * @example
 * ```ts
 * const build = await dryRunBuild({ config: "wrangler.toml", outDir: "/tmp/ours" }); // { gzipKiB: 78.2, ... }
 * ```
 */
export async function dryRunBuild(options: {
  config: string;
  outDir: string;
  signal?: AbortSignal;
}): Promise<Build> {
  const uploadFile = join(options.outDir, "worker.bundle");
  const distDir = join(options.outDir, "dist");
  // `--env ""` names the top-level environment, the one `npm run deploy` ships, and silences the warning about
  // the others.
  const output = await wrangler(
    [
      "deploy",
      "--dry-run",
      "--config",
      options.config,
      "--env",
      "",
      "--outdir",
      distDir,
      "--outfile",
      uploadFile,
    ],
    options.signal,
  );
  const upload = /Total Upload: ([\d.]+) KiB \/ gzip: ([\d.]+) KiB/.exec(output);
  if (!upload) throw new Error(`wrangler deploy --dry-run printed no "Total Upload" line:\n${output}`);
  return {
    rawKiB: Number(upload[1]),
    gzipKiB: Number(upload[2]),
    uploadFile,
    module: join(distDir, "index.js"),
    wrangler: /wrangler (\d+\.\d+\.\d+)/.exec(output)?.[1] ?? "unknown",
  };
}

/** One `wrangler check startup` profile of a built bundle. */
export interface StartupProfile {
  /** CPU time the isolate spent in the startup phase: what the Worker's global scope costs to evaluate. */
  activeMs: number;
  /** From the isolate's start to the end of its startup phase. */
  windowMs: number;
  /**
   * Samples that caught the isolate busy (any node but "(idle)"). "Active" adds up each busy sample's time since
   * the previous sample, so a busy machine that parks the isolate for 100 ms puts all 100 ms on the next sample;
   * the count of busy samples, taken at a fixed interval while the isolate runs, does not grow with such stalls.
   */
  busySamples: number;
}

/**
 * Profiles the startup of a bundle written by {@link dryRunBuild} (its `uploadFile`), locally and offline.
 *
 * @example
 * ```ts
 * const { activeMs } = await profileStartup(build.uploadFile, "/tmp/ours/startup-0.cpuprofile");
 * ```
 */
export async function profileStartup(
  uploadFile: string,
  profileFile: string,
  signal?: AbortSignal,
): Promise<StartupProfile> {
  const output = await wrangler(
    ["check", "startup", "--worker", uploadFile, "--outfile", profileFile],
    signal,
  );
  const active = /Active: ([\d.]+) ms/.exec(output);
  const window = /Profile window: ([\d.]+) ms/.exec(output);
  if (!active || !window) throw new Error(`wrangler check startup printed no profile summary:\n${output}`);
  const profile = JSON.parse(await readFile(profileFile, "utf8")) as CpuProfile;
  const idle = new Set(
    profile.nodes.filter((node) => node.callFrame.functionName === "(idle)").map((node) => node.id),
  );
  const busySamples = profile.samples.filter((id) => !idle.has(id)).length;
  return { activeMs: Number(active[1]), windowMs: Number(window[1]), busySamples };
}

/** The parts of a V8 `.cpuprofile` the busy-sample count reads. */
interface CpuProfile {
  nodes: { id: number; callFrame: { functionName: string } }[];
  samples: number[];
}

/** Runs the wrangler CLI from node_modules and returns everything it printed; it fails with that output. */
async function wrangler(args: string[], signal?: AbortSignal): Promise<string> {
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
