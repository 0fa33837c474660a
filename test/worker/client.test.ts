import { hc } from "hono/client";
import { describe, expect, it } from "vitest";
import type { AppType } from "../../src/index.ts";
import { call } from "./support.ts";

// The typed client sends its requests through the Worker in-process, as `call` does.
const client = hc<AppType>("http://worker.test", {
  fetch: (input: RequestInfo | URL, init?: RequestInit) => {
    const url = new URL(input instanceof Request ? input.url : String(input));
    return call(`${url.pathname}${url.search}`, init);
  },
});

describe("the typed client (hc<AppType>)", () => {
  it("knows each route's input and answer types", async () => {
    const response = await client.timing.delay.$get({ query: { ms: "1" } });
    expect(response.status).toBe(200);
    const body = await response.json();
    // `body.ms` is typed as a number: this line would not compile against a wrong route type.
    const ms: number = body.ms;
    expect(ms).toBe(1);
  });

  it("types routes built with Hono's factory too", async () => {
    const response = await client.timing.sequential.$get({ query: { tasks: "2", ms: "0" } });
    const body = await response.json();
    const steps: { i: number; startMs: number; endMs: number }[] = body.steps;
    expect(steps).toHaveLength(2);
  });

  it("builds typed paths with parameters", async () => {
    const response = await client.sql.cars[":id"].$get({ param: { id: "999999999" } });
    expect(response.status).toBe(404);
  });
});
