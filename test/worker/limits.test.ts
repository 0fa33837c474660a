import { describe, expect, it } from "vitest";
import { clientKey } from "../../src/middleware/rate-limit.ts";
import { call, expectError, jsonInit } from "./support.ts";

describe("rate limits", () => {
  it("declares a rate budget on every route, fan-out for the routes that make many subrequests", async () => {
    const doc = (await (await call("/openapi.json")).json()) as {
      paths: Record<string, Record<string, { "x-rate-limit": string }>>;
    };
    const classOf = (method: string, path: string) => doc.paths[path]?.[method]?.["x-rate-limit"];
    expect(classOf("get", "/redis/hashes/{key}")).toBe("read");
    expect(classOf("put", "/redis/hashes/{key}")).toBe("write");
    expect(classOf("post", "/sql/cars")).toBe("write");
    expect(classOf("post", "/fetch")).toBe("fanout");
    expect(classOf("get", "/crawl")).toBe("fanout");
    expect(classOf("get", "/redis/fanout/{key}")).toBe("fanout");
    expect(classOf("get", "/sql/fanout")).toBe("fanout");
    expect(classOf("get", "/timing/compare")).toBe("fanout");
    expect(classOf("get", "/timing/delay")).toBe("read");
    const undeclared = Object.entries(doc.paths).flatMap(([path, operations]) =>
      Object.entries(operations)
        .filter(([, operation]) => !["read", "write", "fanout"].includes(operation["x-rate-limit"]))
        .map(([method]) => `${method} ${path}`),
    );
    expect(undeclared).toEqual([]);
  });

  it("counts an IPv6 client by its /64 and an IPv4 client by its address", () => {
    expect(clientKey("2001:db8:1:2:aaaa::1")).toBe("2001:db8:1:2::/64");
    expect(clientKey("2001:db8:1:2:bbbb::9")).toBe(clientKey("2001:db8:1:2:aaaa::1"));
    expect(clientKey("2001:db8:1:3::1")).not.toBe(clientKey("2001:db8:1:2::1"));
    expect(clientKey("::ffff:198.51.100.7")).toBe("198.51.100.7");
    expect(clientKey("198.51.100.7")).toBe("198.51.100.7");
  });

  it("answers 429 with retry-after once a client IP spends its fan-out budget", async () => {
    // A fresh IP per run: the simulated limiter keeps its counts for the whole test run.
    const ip = `198.51.100.${Math.floor(Math.random() * 250) + 1}`;
    const send = () => call("/timing/concurrent?tasks=1&ms=0", { headers: { "cf-connecting-ip": ip } });
    const statuses: number[] = [];
    for (let i = 0; i < 21; i++) statuses.push((await send()).status);
    expect(statuses.slice(0, 20).every((status) => status === 200)).toBe(true);
    const limited = await send();
    expect(limited.headers.get("retry-after")).toBe("60");
    await expectError(limited, 429, "rate_limited");
    // Another IP still has its own budget.
    const other = await call("/timing/concurrent?tasks=1&ms=0", {
      headers: { "cf-connecting-ip": "203.0.113.7" },
    });
    expect(other.status).toBe(200);
  });

  it("does not limit when RATE_LIMITS is off", async () => {
    const headers = { "cf-connecting-ip": "192.0.2.44" };
    for (let i = 0; i < 25; i++) {
      expect(
        (await call("/timing/concurrent?tasks=1&ms=0", { headers }, { RATE_LIMITS: "off" })).status,
      ).toBe(200);
    }
  });
});

describe("body limits", () => {
  it("refuses a SQL body over 16 KiB with 413 naming the limit", async () => {
    const body = { make: "a", model: "b", year: 2000, price: "1", specs: { blob: "x".repeat(17 * 1024) } };
    const message = await expectError(
      await call("/sql/cars", jsonInit("POST", body)),
      413,
      "payload_too_large",
    );
    expect(message).toContain("16 KiB");
  });

  it("refuses a Redis body over 2 MiB with 413 even without content-length", async () => {
    const huge = JSON.stringify({ a: "x".repeat(2 * 1024 * 1024) });
    const stream = new Blob([huge]).stream();
    const init = { ...jsonInit("PUT", huge), body: stream, duplex: "half" } as RequestInit;
    await expectError(await call("/redis/hashes/too-big", init), 413, "payload_too_large");
  });
});

describe("CORS", () => {
  it("sends no CORS headers by default", async () => {
    const response = await call("/timing/sync", { headers: { origin: "https://evil.example" } });
    expect(response.headers.get("access-control-allow-origin")).toBeNull();
  });

  it("allows only the origins listed in CORS_ORIGINS", async () => {
    const overrides = { CORS_ORIGINS: "https://app.example, https://admin.example" };
    const allowed = await call("/timing/sync", { headers: { origin: "https://admin.example" } }, overrides);
    expect(allowed.headers.get("access-control-allow-origin")).toBe("https://admin.example");
    const refused = await call("/timing/sync", { headers: { origin: "https://evil.example" } }, overrides);
    expect(refused.headers.get("access-control-allow-origin")).toBeNull();
    const preflight = await call(
      "/redis/hashes/car",
      {
        method: "OPTIONS",
        headers: { origin: "https://app.example", "access-control-request-method": "PUT" },
      },
      overrides,
    );
    expect(preflight.status).toBe(204);
    expect(preflight.headers.get("access-control-allow-methods")).toContain("PUT");
  });
});
