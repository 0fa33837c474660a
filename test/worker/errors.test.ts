import { exports } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { call, expectError } from "./support.ts";

describe("the error model", () => {
  it("answers an unknown route with a JSON 404", async () => {
    const message = await expectError(await call("/no/such/route"), 404, "not_found");
    expect(message).toContain("/no/such/route");
  });

  it("answers a known route with the wrong method with 405 and Allow, HEAD included with GET", async () => {
    // HEAD is served wherever GET is (Hono answers it from the GET route), so Allow names it too.
    const response = await call("/timing/sync", { method: "DELETE" });
    expect(response.headers.get("allow")).toBe("GET, HEAD");
    expect(await expectError(response, 405, "method_not_allowed")).toContain("use GET, HEAD");
    const write = await call("/redis/hashes/car", { method: "POST" });
    expect(write.headers.get("allow")).toBe("PUT, PATCH, GET, HEAD, DELETE");
  });

  it("echoes a sane x-request-id and replaces an unsafe one", async () => {
    const echoed = await call("/timing/sync", { headers: { "x-request-id": "trace-123" } });
    expect(echoed.headers.get("x-request-id")).toBe("trace-123");
    const replaced = await call("/timing/sync", { headers: { "x-request-id": "<script>" } });
    expect(replaced.headers.get("x-request-id")).toMatch(/^[0-9a-f-]{36}$/);
  });

  it("puts the request id of the answer into the error body", async () => {
    const response = await call("/nowhere", { headers: { "x-request-id": "abc-1" } });
    expect(await response.json()).toMatchObject({ error: { requestId: "abc-1" } });
  });

  it("sends secure headers and Server-Timing on every answer, errors included", async () => {
    for (const response of [await call("/timing/sync"), await call("/missing")]) {
      expect(response.headers.get("x-content-type-options")).toBe("nosniff");
      expect(response.headers.get("x-frame-options")).toBe("SAMEORIGIN");
      expect(response.headers.get("server-timing")).toMatch(/total;dur=/);
    }
  });

  it("serves the same answers through the deployed entry point", async () => {
    const response = await exports.default.fetch("http://worker.test/timing/sync");
    expect(response.status).toBe(200);
    expect(response.headers.get("content-type")).toBe("application/json; charset=utf-8");
  });
});
