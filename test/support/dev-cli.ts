/**
 * Running `npm run dev` (the real CLI, `node dev/cli.ts`) from a test: on free ports and a temp data dir, with its
 * own servers rather than whatever REDIS_URL or DATABASE_URL a developer's shell points at.
 */
import { type ChildProcess, spawn } from "node:child_process";
import { existsSync } from "node:fs";
import { delimiter, join } from "node:path";
import { freePort } from "../../emulators/backends/host.ts";

export const projectDir = join(import.meta.dirname, "../..");

/** The line the CLI prints once everything it starts answers. */
const READY = "Ctrl-C stops everything";

/**
 * The environment for one CLI run: the Worker, Upstash and PlanetScale endpoints each on a free port, data in
 * `dataDir`, then `overrides` (which may replace any of those, a port included).
 *
 * @example
 * ```ts
 * const { env, base } = await devEnv(dataDir, { DEV_SQL: "d1" }); // base: "http://127.0.0.1:<port>"
 * ```
 */
export async function devEnv(dataDir: string, overrides: NodeJS.ProcessEnv = {}) {
  const ports = [await freePort(), await freePort(), await freePort()];
  const env: NodeJS.ProcessEnv = { ...process.env, DATA_DIR: dataDir };
  [env.PORT, env.UPSTASH_PORT, env.PLANETSCALE_PORT] = ports.map(String);
  delete env.REDIS_URL;
  delete env.DATABASE_URL;
  Object.assign(env, overrides);
  return { env, ports, base: `http://127.0.0.1:${ports[0]}` };
}

/**
 * Spawns the CLI with its output piped, for a run that ends by itself (a refused start).
 *
 * @example
 * ```ts
 * const child = spawnDev(env); const [code] = await once(child, "exit");
 * ```
 */
export function spawnDev(env: NodeJS.ProcessEnv): ChildProcess {
  return spawn(process.execPath, ["dev/cli.ts"], { cwd: projectDir, env, stdio: ["ignore", "pipe", "pipe"] });
}

/**
 * Spawns the CLI and resolves once it prints its table; rejects with everything it printed if it exits first.
 *
 * @example
 * ```ts
 * const { child, output } = await startDev(env); child.kill("SIGINT");
 * ```
 */
export async function startDev(
  env: NodeJS.ProcessEnv,
): Promise<{ child: ChildProcess; output: () => string }> {
  const child = spawnDev(env);
  let output = "";
  await new Promise<void>((resolve, reject) => {
    const onData = (chunk: Buffer) => {
      output += chunk.toString();
      if (output.includes(READY)) resolve();
    };
    child.stdout?.on("data", onData);
    child.stderr?.on("data", onData);
    child.once("exit", (code) =>
      reject(new Error(`dev CLI exited (${code}) before it was ready:\n${output}`)),
    );
  });
  return { child, output: () => output };
}

/**
 * PATH without the directories that hold any of `binaries`, to make the CLI fall back as on a machine without them.
 *
 * @example
 * ```ts
 * const { env } = await devEnv(dataDir, { PATH: pathWithout(["redis-server"]) });
 * ```
 */
export function pathWithout(binaries: string[]): string {
  const dirs = (process.env.PATH ?? "").split(delimiter);
  return dirs.filter((dir) => !binaries.some((binary) => existsSync(join(dir, binary)))).join(delimiter);
}
