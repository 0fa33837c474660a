/**
 * What `npm run dev` reads from the environment: the emulators' settings (emulators/options.ts) plus the Worker's,
 * validated once at startup so a typo ends in a clear message instead of a confusing failure later.
 */
import { join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { type EndpointOptions, readEndpointOptions, readPort } from "../emulators/options.ts";

/** Everything the stack needs to know before it starts. */
export interface StackOptions extends EndpointOptions {
  projectDir: string;
  /** Where `wrangler dev` keeps D1; `<DATA_DIR>/wrangler` when DATA_DIR is set, else wrangler's own default. */
  wranglerStateDir: string;
  workerPort: number;
}

const projectDir = resolve(fileURLToPath(new URL("..", import.meta.url)));

/**
 * Reads and checks the stack's settings; DATA_DIR defaults to `<project>/.data` wherever the command runs.
 *
 * @example
 * ```ts
 * const options = readStackOptions("npm run dev", { ...process.env, PORT: "8788" });
 * options.workerPort; // 8788
 * ```
 */
export function readStackOptions(command: string, env: NodeJS.ProcessEnv = process.env): StackOptions {
  const dataDir = env.DATA_DIR ? resolve(env.DATA_DIR) : join(projectDir, ".data");
  const { help: _help, ...endpoints } = readEndpointOptions(command, [], { ...env, DATA_DIR: dataDir });
  return {
    ...endpoints,
    projectDir,
    wranglerStateDir: env.DATA_DIR ? join(dataDir, "wrangler") : join(projectDir, ".wrangler", "state"),
    workerPort: readPort(env.PORT, "PORT", 8787),
  };
}
