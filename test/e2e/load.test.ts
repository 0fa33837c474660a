import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { formatFigures, LOAD_REQUESTS, type LocalStack, runLoad, startLocalStack } from "./load.ts";

let stack: LocalStack;

beforeAll(async () => {
  stack = await startLocalStack();
}, 120_000);

afterAll(async () => {
  await stack?.stop();
}, 60_000);

describe("the local stack under load", () => {
  it("answers 10,000 requests at 64 connections across the patterns with no error and no non-2xx", async () => {
    // Each route once first, so a missing seed or backend fails here with its answer, not as a count.
    for (const path of LOAD_REQUESTS) {
      const response = await fetch(`${stack.url}${path}`);
      expect(response.status, `${path}: ${await response.text()}\n${stack.output()}`).toBe(200);
    }
    const figures = await runLoad(stack.url, 10_000, 64);
    console.log(`Load figures:\n${formatFigures(figures)}`);
    expect(figures.requests).toBe(10_000);
    expect({ errors: figures.errors, timeouts: figures.timeouts, non2xx: figures.non2xx }).toEqual({
      errors: 0,
      timeouts: 0,
      non2xx: 0,
    });
  }, 120_000);
});
