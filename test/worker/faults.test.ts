import { env } from "cloudflare:workers";
import { afterAll, describe, expect, it } from "vitest";
import type { Bindings } from "../../src/env.ts";
import { REDIS_DEADLINE_MS } from "../../src/lib/redis.ts";
import { SQL_DEADLINE_MS } from "../../src/lib/sql/errors.ts";
import { call, jsonInit } from "./support.ts";

/** What test/setup/faults.ts answers on `POST /start`. */
interface FaultBackends {
  redis: { url: string; token: string } | null;
  databaseUrl: string | null;
  notes: string[];
}

type Backend = "redis" | "mysql";
type Fault = "killed" | "paused" | "restarted";

/** One request of a case: how many backend round trips it may make in a row, which bounds its time. */
interface Step {
  label: string;
  path: string;
  init?: RequestInit;
  roundTrips: number;
}

// Scheduling slack on a loaded 2-core machine, on top of the deadlines the Worker promises.
const MARGIN_MS = 1500;
const RECOVERY_DEADLINE_MS = 20_000;
const ALLOWED = [200, 503, 504];

const control = env.FAULT_CONTROL_URL;
if (!control) throw new Error("FAULT_CONTROL_URL is missing; test/setup/global.ts starts the fault harness.");

async function order(path: string): Promise<unknown> {
  const response = await fetch(`${control}${path}`, { method: "POST" });
  const body: unknown = await response.json();
  expect(response.status, `${path}: ${JSON.stringify(body)}`).toBe(200);
  return body;
}

// Starting the dedicated backends takes a second or two, once per run.
const backends = (await order("/start")) as FaultBackends;
for (const note of backends.notes) console.warn(`[faults] ${note}`);

const overrides: Record<Backend, Partial<Bindings>> = {
  redis: { UPSTASH_REDIS_REST_URL: backends.redis?.url, UPSTASH_REDIS_REST_TOKEN: backends.redis?.token },
  mysql: { DATABASE_URL: backends.databaseUrl ?? undefined },
};
const deadline: Record<Backend, number> = { redis: REDIS_DEADLINE_MS, mysql: SQL_DEADLINE_MS };
const available = (backend: Backend) =>
  backend === "redis" ? backends.redis !== null : backends.databaseUrl !== null;

interface Observation {
  label: string;
  status: number;
  ms: number;
  boundMs: number;
}

interface MatrixRow {
  name: string;
  statuses: Record<number, number>;
  maxMs: number;
  boundMs: number;
  recoveredMs: number;
}

const matrix: MatrixRow[] = [];
let carId = "";

/** The requests each case sends at once: writes and reads of the pattern, and /health. */
function steps(backend: Backend): Step[] {
  if (backend === "redis") {
    // Only writes: the fault Redis keeps no data across a restart, so a read could fairly answer 404.
    return [
      { label: "PUT hash", path: "/redis/hashes/fault-a", init: jsonInit("PUT", { a: "1" }), roundTrips: 1 },
      {
        label: "PATCH hash",
        path: "/redis/hashes/fault-b",
        init: jsonInit("PATCH", { b: "2" }),
        roundTrips: 1,
      },
      { label: "GET /health", path: "/health", roundTrips: 1 },
    ];
  }
  return [
    { label: "GET car", path: `/sql/cars/${carId}`, roundTrips: 1 },
    { label: "GET stats", path: "/sql/stats", roundTrips: 1 },
    // UPDATE, then SELECT of the changed row: two round trips, each with its own deadline.
    {
      label: "PATCH car",
      path: `/sql/cars/${carId}`,
      init: jsonInit("PATCH", { price: "2.00" }),
      roundTrips: 2,
    },
    { label: "GET /health", path: "/health", roundTrips: 1 },
  ];
}

async function timed(backend: Backend, step: Step): Promise<Observation> {
  const began = Date.now();
  const response = await call(step.path, step.init ?? {}, overrides[backend]);
  await response.arrayBuffer();
  const boundMs = step.roundTrips * deadline[backend] + MARGIN_MS;
  return { label: step.label, status: response.status, ms: Date.now() - began, boundMs };
}

const wave = (backend: Backend) => Promise.all(steps(backend).map((step) => timed(backend, step)));

/**
 * Polls whole waves (no fixed sleep: a short pause between tries) until every request answers 200: the emulator's
 * shared and dedicated connections reconnect independently, so one success does not yet mean all are back.
 */
async function recovery(backend: Backend): Promise<number> {
  const began = Date.now();
  for (;;) {
    const statuses = (await wave(backend)).map((seen) => seen.status);
    if (statuses.every((status) => status === 200)) return Date.now() - began;
    if (Date.now() - began > RECOVERY_DEADLINE_MS) {
      throw new Error(
        `${backend} did not recover within ${RECOVERY_DEADLINE_MS} ms (last ${statuses.join(", ")})`,
      );
    }
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

/** Runs the fault while requests go through the Worker, clears it, and returns what the requests saw. */
async function underFault(backend: Backend, fault: Fault): Promise<Observation[]> {
  if (fault === "restarted") {
    // Requests keep going in waves for as long as the restart takes, so some meet the server down.
    let restarting = true;
    const restart = order(`/${backend}/restart`).finally(() => {
      restarting = false;
    });
    const seen: Observation[] = [];
    do seen.push(...(await wave(backend)));
    while (restarting);
    await restart;
    return seen;
  }
  await order(`/${backend}/${fault === "killed" ? "kill" : "pause"}`);
  try {
    return await wave(backend);
  } finally {
    await order(`/${backend}/${fault === "killed" ? "restart" : "resume"}`);
  }
}

const cases = (["redis", "mysql"] as const).flatMap((backend) =>
  (["killed", "paused", "restarted"] as const).map((fault) => [backend, fault] as const),
);

describe("backend faults through the Worker", () => {
  afterAll(async () => {
    // Whatever a failed case left behind: paused servers resumed, killed ones started again.
    await order("/reset");
    console.log(renderMatrix(matrix));
  });

  it.each(cases.filter(([backend]) => available(backend)))(
    "%s %s: answers 200, 503 or 504 within the deadline, then recovers by itself",
    async (backend, fault) => {
      if (backend === "mysql" && !carId) {
        const response = await call(
          "/sql/cars",
          jsonInit("POST", { make: "Fault", model: "F", year: 2000, price: "1" }),
          overrides.mysql,
        );
        expect(response.status).toBe(201);
        carId = ((await response.json()) as { id: string }).id;
      }
      expect((await wave(backend)).map((seen) => seen.status)).toEqual(steps(backend).map(() => 200));

      const seen = await underFault(backend, fault);
      const recoveredMs = await recovery(backend);

      const statuses: Record<number, number> = {};
      for (const { status } of seen) statuses[status] = (statuses[status] ?? 0) + 1;
      const maxMs = Math.max(...seen.map(({ ms }) => ms));
      const boundMs = Math.max(...seen.map((observation) => observation.boundMs));
      matrix.push({ name: `${backend} ${fault}`, statuses, maxMs, boundMs, recoveredMs });
      for (const observation of seen) {
        expect(ALLOWED, JSON.stringify(observation)).toContain(observation.status);
        expect(observation.ms, JSON.stringify(observation)).toBeLessThanOrEqual(observation.boundMs);
      }
      // While down or stopped, nothing can have succeeded: the fault was really in the path.
      if (fault !== "restarted") expect(statuses[200], JSON.stringify(seen)).toBeUndefined();
    },
    60_000,
  );
});

function renderMatrix(rows: MatrixRow[]): string {
  const lines = rows.map((row) => {
    const statuses = Object.entries(row.statuses)
      .map(([status, count]) => `${status}×${count}`)
      .join(" ");
    return `| ${row.name.padEnd(16)} | ${statuses.padEnd(22)} | ${String(row.maxMs).padStart(6)} | ${String(row.boundMs).padStart(6)} | ${String(row.recoveredMs).padStart(9)} |`;
  });
  const head = `| ${"case".padEnd(16)} | ${"statuses seen".padEnd(22)} | max ms | bound  | recovered |`;
  return [
    "Fault matrix:",
    head,
    `|${"-".repeat(18)}|${"-".repeat(24)}|--------|--------|-----------|`,
    ...lines,
  ].join("\n");
}
