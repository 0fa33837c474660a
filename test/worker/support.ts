import { createExecutionContext, waitOnExecutionContext } from "cloudflare:test";
import { env } from "cloudflare:workers";
import { expect } from "vitest";
import type { Bindings } from "../../src/env.ts";
import app from "../../src/index.ts";

/** The bindings the tests run with: wrangler.toml plus what test/setup/global.ts provided (typed in test/env.d.ts). */
export const testEnv = env;

/**
 * Sends one request through the Worker with the test bindings, optionally overridden, the way
 * production would (same app, same middleware), and waits for any `waitUntil` work.
 */
export async function call(path: string, init: RequestInit = {}, overrides: Partial<Bindings> = {}) {
  const ctx = createExecutionContext();
  const response = await app.fetch(
    new Request(`http://worker.test${path}`, init),
    { ...testEnv, ...overrides },
    ctx,
  );
  await waitOnExecutionContext(ctx);
  return response;
}

/** A JSON request init with the test API token, for writes. */
export function jsonInit(method: string, body: unknown, token = testEnv.API_TOKEN): RequestInit {
  const headers: Record<string, string> = { "content-type": "application/json" };
  if (token) headers.authorization = `Bearer ${token}`;
  return { method, headers, body: typeof body === "string" ? body : JSON.stringify(body) };
}

/** Asserts the docs/API.md error shape and status, and returns the message for further checks. */
export async function expectError(response: Response, status: number, code: string): Promise<string> {
  expect(response.status).toBe(status);
  expect(response.headers.get("content-type")).toBe("application/json; charset=utf-8");
  const body = (await response.json()) as { error: { code: string; message: string; requestId: string } };
  expect(body).toEqual({
    error: {
      code,
      message: expect.stringMatching(/\S.*[.!?]$/),
      requestId: response.headers.get("x-request-id"),
    },
  });
  return body.error.message;
}
