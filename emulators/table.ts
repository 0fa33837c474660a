/**
 * The summary printed once everything answers: what runs where, which backing server (name and version) stands
 * behind each endpoint, which pieces are fallbacks, and the variables to point a client at.
 */
import { relative } from "node:path";
import type { EndpointOptions } from "./options.ts";
import type { Endpoints } from "./stack.ts";

/** One line of the table. */
export interface Row {
  component: string;
  where: string;
  kind: "real" | "external" | "fallback" | "emulator" | "runtime";
  notes: string;
}

/**
 * Rows for the backends and endpoints that started.
 *
 * @example
 * ```ts
 * console.log(renderTable(endpointRows(endpoints, options)));
 * ```
 */
export function endpointRows(endpoints: Endpoints, options: EndpointOptions): Row[] {
  const { redis } = endpoints;
  const rows: Row[] = [
    {
      component: "Redis",
      where: redis.url ? hidePassword(redis.url) : "in-process",
      kind: redis.kind === "embedded" ? "fallback" : redis.kind === "external" ? "external" : "real",
      notes:
        redis.kind === "embedded"
          ? `${redis.server}; install redis-server or set REDIS_URL for real Redis`
          : `${redis.server}${redis.kind === "external" ? " (REDIS_URL)" : ", throwaway data"}`,
    },
    {
      component: "Upstash REST",
      where: endpoints.upstashUrl,
      kind: "emulator",
      notes: `bearer token below; backed by ${redis.server}`,
    },
  ];
  if (endpoints.mysql) {
    const { backend, planetscaleUrl } = endpoints.mysql;
    rows.push(
      {
        component: "MySQL",
        where: hidePassword(backend.url),
        kind: backend.kind === "external" ? "external" : "real",
        notes:
          backend.kind === "external"
            ? `${backend.server} (DATABASE_URL)`
            : `${backend.server}, data kept in ${shortPath(options.dataDir)}/mariadb`,
      },
      {
        component: "PlanetScale HTTP",
        where: hidePassword(planetscaleUrl),
        kind: "emulator",
        notes: `password = token below; backed by ${backend.server}`,
      },
    );
  } else {
    rows.push({
      component: "MySQL",
      where: "-",
      kind: "fallback",
      notes: `not running: ${endpoints.sqlFallback}`,
    });
  }
  return rows;
}

/**
 * The variables a client needs to use the endpoints.
 *
 * @example
 * ```ts
 * endpointVariables(endpoints); // ["UPSTASH_REDIS_REST_URL=http://127.0.0.1:8079", ...]
 * ```
 */
export function endpointVariables(endpoints: Endpoints): string[] {
  const lines = [
    `UPSTASH_REDIS_REST_URL=${endpoints.upstashUrl}`,
    `UPSTASH_REDIS_REST_TOKEN=${endpoints.token}`,
  ];
  if (endpoints.mysql) lines.push(`DATABASE_URL=${endpoints.mysql.planetscaleUrl}`);
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
