/**
 * The variables `wrangler dev` gives the Worker: the user's `.dev.vars` (API_TOKEN, DELAY_UPSTREAM_URL, ...) with
 * the local stack's endpoints on top, written to a private env file for `--env-file`. Nothing goes on the command
 * line, where `ps` would show the tokens, and the user's `.dev.vars` is only read, never written.
 */
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { parseEnv } from "node:util";
import { StartupError } from "../emulators/supervise.ts";

/**
 * Worker settings a shell may set for one run (`RATE_LIMITS=off npm run dev` for a load test); they win over
 * `.dev.vars`. The backends' URLs are not among them: the stack owns those.
 */
const settingsFromShell = [
  "API_TOKEN",
  "CORS_ORIGINS",
  "DELAY_UPSTREAM_URL",
  "RATE_LIMITS",
  "REDIS_INSTANCES",
  "SQL_INSTANCES",
  "SUBREQUEST_BUDGET",
];

/** The stack's part of the Worker's variables; DATABASE_URL "" means D1. */
export interface StackVars {
  UPSTASH_REDIS_REST_URL: string;
  UPSTASH_REDIS_REST_TOKEN: string;
  DATABASE_URL: string;
}

/** The written file and the variables in it. */
export interface WorkerVars {
  file: string;
  vars: Record<string, string>;
  remove(): Promise<void>;
}

/**
 * Merges `<project>/.dev.vars`, the settings exported in the shell, and the stack's variables (later ones win)
 * with ENVIRONMENT=development, and writes them
 * to `<project>/.wrangler/dev-<port>.env` (mode 0600; one file per port, so two stacks do not collide).
 *
 * @example
 * ```ts
 * const { file, vars } = writeWorkerVars("/repo", 8787, { UPSTASH_REDIS_REST_URL: "http://127.0.0.1:8079", ... });
 * spawn(wrangler, ["dev", "--env-file", file]);
 * vars.API_TOKEN; // from .dev.vars, when the user set one
 * ```
 */
export function writeWorkerVars(projectDir: string, port: number, stackVars: StackVars): WorkerVars {
  const devVarsFile = join(projectDir, ".dev.vars");
  const userVars = existsSync(devVarsFile) ? parseEnv(readFileSync(devVarsFile, "utf8")) : {};
  const vars: Record<string, string> = {};
  for (const [name, value] of Object.entries(userVars)) if (value !== undefined) vars[name] = value;
  for (const name of settingsFromShell) {
    const value = process.env[name];
    if (value !== undefined) vars[name] = value;
  }
  Object.assign(vars, stackVars, { ENVIRONMENT: "development" });
  mkdirSync(join(projectDir, ".wrangler"), { recursive: true });
  const file = join(projectDir, ".wrangler", `dev-${port}.env`);
  const lines = Object.entries(vars).map(([name, value]) => `${name}=${quote(name, value)}`);
  const header = "# Written by `npm run dev` from .dev.vars and the local stack; removed when it stops.";
  writeFileSync(file, `${header}\n${lines.join("\n")}\n`, { mode: 0o600 });
  return { file, vars, remove: async () => rmSync(file, { force: true }) };
}

/**
 * Quotes a value so wrangler's env-file reader (dotenv, then dotenv-expand) returns it unchanged: `$` is escaped
 * because dotenv-expand would substitute it, and the quote character is one the value does not contain.
 */
function quote(name: string, value: string): string {
  const escaped = value.replaceAll("$", "\\$");
  if (!escaped.includes("\n")) {
    for (const mark of ["'", '"', "`"]) if (!escaped.includes(mark)) return `${mark}${escaped}${mark}`;
  } else if (!escaped.includes('"')) {
    return `"${escaped.replaceAll("\n", "\\n")}"`;
  }
  throw new StartupError(
    `${name} in .dev.vars holds a line break or all three quote characters (' " \`), which wrangler's env file ` +
      "cannot carry; simplify the value.",
  );
}
