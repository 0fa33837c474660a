/**
 * The one summary both CLIs print once everything answers: what runs where, which pieces are real servers and
 * which are fallbacks, the variables to point a client at, and one curl per pattern.
 */
import { relative } from "node:path";
import type { StackOptions } from "./options.ts";
import type { Stack } from "./stack.ts";

/** One line of the table. */
export interface Row {
  component: string;
  where: string;
  kind: "real" | "external" | "fallback" | "emulator" | "runtime";
  notes: string;
}

/**
 * Rows for the backends and endpoints of a started stack.
 *
 * @example
 * ```ts
 * console.log(renderTable([...stackRows(stack, options), workerRow]));
 * ```
 */
export function stackRows(stack: Stack, options: StackOptions): Row[] {
  const redisKind = stack.redis.kind === "redis-server" ? "real" : stack.redis.kind;
  const rows: Row[] = [
    {
      component: "Redis",
      where: stack.redis.url ?? "in-process",
      kind: redisKind === "embedded" ? "fallback" : redisKind,
      notes:
        stack.redis.kind === "embedded"
          ? "ioredis-mock; install redis-server for real Redis"
          : "throwaway data",
    },
    { component: "Upstash REST", where: stack.upstashUrl, kind: "emulator", notes: "bearer token below" },
  ];
  if (stack.mysql) {
    const { backend, planetscaleUrl } = stack.mysql;
    rows.push(
      {
        component: "MySQL",
        where: hidePassword(backend.url),
        kind: backend.kind === "external" ? "external" : "real",
        notes:
          backend.kind === "external"
            ? "DATABASE_URL"
            : `${backend.kind}, data kept in ${shortPath(options.dataDir)}/mariadb`,
      },
      {
        component: "PlanetScale HTTP",
        where: hidePassword(planetscaleUrl),
        kind: "emulator",
        notes: "password = token below",
      },
    );
  } else {
    rows.push({
      component: "MySQL",
      where: "-",
      kind: "fallback",
      notes: `not running: ${stack.sqlFallback}`,
    });
  }
  return rows;
}

/**
 * The variables a client needs to use the endpoints (the Worker gets the same ones).
 *
 * @example
 * ```ts
 * stackVariables(stack); // ["UPSTASH_REDIS_REST_URL=http://127.0.0.1:8079", ...]
 * ```
 */
export function stackVariables(stack: Stack): string[] {
  const lines = [`UPSTASH_REDIS_REST_URL=${stack.upstashUrl}`, `UPSTASH_REDIS_REST_TOKEN=${stack.token}`];
  if (stack.mysql) lines.push(`DATABASE_URL=${stack.mysql.planetscaleUrl}`);
  return lines;
}

/**
 * One ready-to-run curl per pattern (Redis, SQL, fan-out fetch, timing), all offline.
 *
 * @example
 * ```ts
 * tryCurls("http://127.0.0.1:8787", undefined).forEach((line) => console.log(line));
 * ```
 */
export function tryCurls(workerUrl: string, apiToken: string | undefined): string[] {
  const host = workerUrl.replace(/^http:\/\//, "");
  const delayUrl = `${workerUrl}/timing/delay?ms=300`;
  const fetchBody = JSON.stringify({ urls: [delayUrl, delayUrl, delayUrl] });
  const lines = [
    `curl -s ${host}/health`,
    `curl -s ${host}/redis/hashes/car`,
    `curl -s '${host}/sql/cars?limit=5'`,
    `curl -s -X POST ${host}/fetch -H 'content-type: application/json' -d '${fetchBody}'`,
    `curl -s '${host}/timing/compare?tasks=5&ms=200'`,
  ];
  if (apiToken)
    lines.push(
      `# writes under /redis and /sql need: -H 'authorization: Bearer ${apiToken}' (API_TOKEN, .dev.vars)`,
    );
  return lines;
}

/**
 * Aligns rows under a header.
 *
 * @example
 * ```ts
 * renderTable([{ component: "Redis", where: "redis://127.0.0.1:6379", kind: "real", notes: "" }]);
 * ```
 */
export function renderTable(rows: Row[]): string {
  const cells = [
    ["Component", "Where", "Kind", "Notes"],
    ...rows.map((row) => [row.component, row.where, row.kind, row.notes]),
  ];
  const widths = [0, 1, 2].map((i) => Math.max(...cells.map((line) => line[i]?.length ?? 0)));
  return cells
    .map((line) => `  ${line.map((cell, i) => cell.padEnd(widths[i] ?? 0)).join("  ")}`.trimEnd())
    .join("\n");
}

function hidePassword(url: string): string {
  const parsed = new URL(url);
  if (parsed.password) parsed.password = "***";
  return parsed.toString().replace(/\/$/, "");
}

function shortPath(path: string): string {
  const fromCwd = relative(process.cwd(), path);
  return fromCwd.startsWith("..") ? path : fromCwd || ".";
}
