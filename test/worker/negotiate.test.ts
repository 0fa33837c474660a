import { Hono } from "hono";
import { describe, expect, it } from "vitest";
import { prefersNdjson } from "../../src/lib/ndjson.ts";

const probe = new Hono().get("/", (c) => c.text(String(prefersNdjson(c))));

describe("choosing a streamed answer", () => {
  it.each([
    ["application/x-ndjson", true],
    // Deliberate since Hono's accepts helper: the higher quality wins, so JSON is preferred here.
    ["application/json, application/x-ndjson;q=0.5", false],
    ["application/json;q=0.5, application/x-ndjson", true],
    ["application/x-ndjson;q=0", false],
    ["application/json", false],
    ["*/*", false],
    [undefined, false],
  ])("reads Accept %s as streaming: %s", async (accept, expected) => {
    const response = await probe.request("/", { headers: accept ? { accept } : {} });
    expect(await response.text()).toBe(String(expected));
  });
});
