import { expect } from "vitest";
import type { Bindings } from "../../src/env.ts";
import { errorStatus } from "../../src/lib/errors.ts";
import { call, testEnv } from "./support.ts";

/**
 * One generated HTTP request, kept as plain data so fast-check prints a failing one readably. `@RUN` anywhere in
 * the path or body stands for the run's unique prefix, filled in at send time: a shrunk counterexample is
 * replayed with a fresh prefix, so no replay ever sees the data of an earlier one.
 */
export interface Probe {
  method: string;
  path: string;
  headers: Record<string, string>;
  /** The body text, or a recipe for one too large to print (`before` + `fill` × `times` + `after`). */
  body?: string | { before: string; fill: string; times: number; after: string };
}

/** A request the API must refuse, with the statuses docs/API.md allows for it. */
export interface Rejection {
  probe: Probe;
  allowed: number[];
}

/**
 * fast-check settings for every battery: a fixed seed so a run repeats exactly (fast-check prints the seed and
 * the shrunk counterexample on failure; change the seed to explore other inputs).
 */
export function runs(numRuns: number) {
  return { numRuns, seed: 20_261_121 };
}

/** A prefix no other run or test file uses; only letters, digits and `-`, so it is also a safe KEYS pattern. */
export function uniqueRun(label: string): string {
  return `${label}-${crypto.randomUUID().slice(0, 8)}`;
}

export function bodyText(body: Probe["body"], run = "@RUN"): string | undefined {
  if (body === undefined || typeof body === "string") return body?.replaceAll("@RUN", run);
  return `${body.before.replaceAll("@RUN", run)}${body.fill.repeat(body.times)}${body.after}`;
}

/** Sends a probe through the Worker, with `@RUN` replaced by `run`. */
export function send(probe: Probe, run: string, overrides: Partial<Bindings> = {}): Promise<Response> {
  const body = bodyText(probe.body, run);
  const init: RequestInit = { method: probe.method, headers: probe.headers };
  if (body !== undefined) init.body = body;
  return call(probe.path.replaceAll("@RUN", run), init, overrides);
}

/** Headers of a JSON write with the test token. */
export function writeHeaders(): Record<string, string> {
  return { "content-type": "application/json", authorization: `Bearer ${testEnv.API_TOKEN}` };
}

const codeByStatus = new Map<number, string>(Object.entries(errorStatus).map(([code, s]) => [s, code]));
// What hono's request-id middleware echoes; anything else is replaced by a fresh id.
const saneRequestId = /^[\w\-=]{1,128}$/;

/**
 * Asserts a refusal: one of the `allowed` 4xx statuses, with the docs/API.md error body (JSON, the code that belongs to
 * the status, one sentence, the request id of the `x-request-id` header) and no stack trace or source path.
 */
export async function expectRejected(response: Response, allowed: readonly number[], probe?: Probe) {
  const text = await response.text();
  const context = `${response.status} ${text.slice(0, 300)}`;
  expect(allowed, context).toContain(response.status);
  expect(response.status, context).toBeGreaterThanOrEqual(400);
  expect(response.status, context).toBeLessThan(500);
  expect(response.headers.get("content-type"), context).toBe("application/json; charset=utf-8");
  const requestId = response.headers.get("x-request-id");
  expect(requestId, context).toBeTruthy();
  const sent = probe?.headers["x-request-id"];
  if (sent !== undefined && saneRequestId.test(sent)) expect(requestId).toBe(sent);
  const body = JSON.parse(text) as { error: { message: string } };
  expect(body, context).toEqual({
    error: {
      code: codeByStatus.get(response.status),
      message: expect.stringMatching(/\S.*[.!?]$/),
      requestId,
    },
  });
  expect(body.error.message, context).not.toMatch(/\n\s+at |\.ts:\d+|node_modules/);
}
