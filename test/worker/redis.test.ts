import { describe, expect, it } from "vitest";
import { call, expectError, jsonInit, testEnv } from "./support.ts";

interface Hash {
  key: string;
  fields: Record<string, string>;
  ttl: number | null;
}

// The emulator's Redis is shared by every test file, so each test owns a fresh key.
const uniqueKey = () => `test:${crypto.randomUUID()}`;
const put = (key: string, fields: unknown, query = "") =>
  call(`/redis/hashes/${key}${query}`, jsonInit("PUT", fields));
const get = async (key: string) => (await call(`/redis/hashes/${key}`)).json() as Promise<Hash>;

describe("Redis hashes", () => {
  it("stores a hash and reads back exactly the strings stored", async () => {
    const key = uniqueKey();
    const fields = {
      make: "Toyota",
      year: 2021,
      hybrid: true,
      zip: "007",
      json: '{"a":1}',
      looksBase64: "YmFy",
      emoji: "🚗 café",
      empty: "",
      big: 1e21,
    };
    const response = await put(key, fields);
    expect(response.status).toBe(200);
    const expected = {
      make: "Toyota",
      year: "2021",
      hybrid: "true",
      zip: "007",
      json: '{"a":1}',
      looksBase64: "YmFy",
      emoji: "🚗 café",
      empty: "",
      big: "1e+21",
    };
    expect(await response.json()).toEqual({ key, fields: expected, ttl: null });
    expect(await get(key)).toEqual({ key, fields: expected, ttl: null });
  });

  it("replaces the whole hash on PUT", async () => {
    const key = uniqueKey();
    await put(key, { a: "1", b: "2" });
    await put(key, { c: "3" });
    expect((await get(key)).fields).toEqual({ c: "3" });
  });

  it("sets a TTL with ?ttl= and clears it on a PUT without one", async () => {
    const key = uniqueKey();
    expect(await (await put(key, { a: "1" }, "?ttl=100")).json()).toMatchObject({ ttl: 100 });
    const withTtl = await get(key);
    expect(withTtl.ttl).toBeGreaterThan(0);
    expect(withTtl.ttl).toBeLessThanOrEqual(100);
    await put(key, { a: "2" });
    expect((await get(key)).ttl).toBeNull();
  });

  it("merges fields on PATCH and keeps the TTL", async () => {
    const key = uniqueKey();
    await put(key, { a: "1", b: "2" }, "?ttl=500");
    const response = await call(`/redis/hashes/${key}`, jsonInit("PATCH", { b: "two", c: 3 }));
    expect(response.status).toBe(200);
    const body = (await response.json()) as Hash;
    expect(body.fields).toEqual({ a: "1", b: "two", c: "3" });
    expect(body.ttl).toBeGreaterThan(0);
  });

  it("reads and deletes single fields", async () => {
    const key = uniqueKey();
    await put(key, { a: "1", b: "2" });
    expect(await (await call(`/redis/hashes/${key}/fields/a`)).json()).toEqual({
      key,
      field: "a",
      value: "1",
    });
    expect((await call(`/redis/hashes/${key}/fields/a`, jsonInit("DELETE", undefined))).status).toBe(204);
    await expectError(await call(`/redis/hashes/${key}/fields/a`), 404, "not_found");
    await expectError(
      await call(`/redis/hashes/${key}/fields/a`, jsonInit("DELETE", undefined)),
      404,
      "not_found",
    );
    expect((await get(key)).fields).toEqual({ b: "2" });
  });

  it("deletes a hash with 204, then answers 404 for it", async () => {
    const key = uniqueKey();
    await put(key, { a: "1" });
    expect((await call(`/redis/hashes/${key}`, jsonInit("DELETE", undefined))).status).toBe(204);
    await expectError(await call(`/redis/hashes/${key}`), 404, "not_found");
    await expectError(await call(`/redis/hashes/${key}`, jsonInit("DELETE", undefined)), 404, "not_found");
  });

  it("stores a hash of 100 fields that fits one Upstash request", async () => {
    const key = uniqueKey();
    const fields = Object.fromEntries(Array.from({ length: 100 }, (_, i) => [`f${i}`, "x".repeat(10_000)]));
    expect((await put(key, fields)).status).toBe(200);
    expect(Object.keys((await get(key)).fields)).toHaveLength(100);
  });

  it("answers 413 for a valid hash larger than one Upstash request, and writes none of it", async () => {
    const key = uniqueKey();
    await put(key, { kept: "yes" });
    const fields = Object.fromEntries(
      Array.from({ length: 100 }, (_, i) => [`f${i}`, "x".repeat(16 * 1024)]),
    );
    expect(await expectError(await put(key, fields), 413, "payload_too_large")).toContain("1 MiB");
    expect((await get(key)).fields).toEqual({ kept: "yes" });
  });

  it.each([
    ["-starts-with-dash", "key"],
    ["has space", "key"],
    ["a".repeat(129), "key"],
    ["semi;colon", "key"],
  ])("refuses the key %s with a 400 naming `%s`", async (key, field) => {
    const message = await expectError(
      await call(`/redis/hashes/${encodeURIComponent(key)}`),
      400,
      "invalid_request",
    );
    expect(message).toContain(field);
  });

  it.each([
    ["an array", [1, 2]],
    ["an empty object", {}],
    ["101 fields", Object.fromEntries(Array.from({ length: 101 }, (_, i) => [`f${i}`, "v"]))],
    ["a value over 16 KiB", { a: "é".repeat(8 * 1024 + 1) }],
    ["a nested object", { a: { b: 1 } }],
    ["a null value", { a: null }],
    ["a field name over 128 characters", { ["f".repeat(129)]: "v" }],
  ])("refuses a body with %s", async (_label, body) => {
    await expectError(await put(uniqueKey(), body), 400, "invalid_request");
  });

  it.each(["0", "31536001", "abc", "1.5"])("refuses ttl=%s", async (ttl) => {
    const message = await expectError(
      await put(uniqueKey(), { a: 1 }, `?ttl=${ttl}`),
      400,
      "invalid_request",
    );
    expect(message).toContain("ttl");
  });

  it("refuses malformed JSON and non-JSON bodies, and writes nothing", async () => {
    const key = uniqueKey();
    await expectError(await call(`/redis/hashes/${key}`, jsonInit("PUT", "{oops")), 400, "invalid_request");
    const textInit = {
      method: "PUT",
      body: "a=1",
      headers: { "content-type": "text/plain", authorization: `Bearer ${testEnv.API_TOKEN}` },
    };
    await expectError(await call(`/redis/hashes/${key}`, textInit), 415, "unsupported_media_type");
    await expectError(await call(`/redis/hashes/${key}`), 404, "not_found");
  });

  it("refuses writes without a valid bearer token, and keeps reads open", async () => {
    const key = uniqueKey();
    await put(key, { a: "1" });
    await expectError(
      await call(`/redis/hashes/${key}`, jsonInit("PUT", { a: "2" }, "")),
      401,
      "unauthorized",
    );
    await expectError(
      await call(`/redis/hashes/${key}`, jsonInit("DELETE", undefined, "nope")),
      401,
      "unauthorized",
    );
    expect((await get(key)).fields).toEqual({ a: "1" });
  });

  it("refuses every write in production when no API_TOKEN is configured", async () => {
    const production = { ENVIRONMENT: "production", API_TOKEN: undefined };
    const response = await call(`/redis/hashes/${uniqueKey()}`, jsonInit("PUT", { a: 1 }, ""), production);
    expect(await expectError(response, 403, "forbidden")).toContain("wrangler secret put API_TOKEN");
  });

  it("answers 503 quickly when Redis is unreachable, and 503 naming the token when it is wrong", async () => {
    const down = { UPSTASH_REDIS_REST_URL: "http://127.0.0.1:9" };
    await expectError(await call(`/redis/hashes/${uniqueKey()}`, {}, down), 503, "backend_unavailable");
    const wrongToken = { UPSTASH_REDIS_REST_TOKEN: "wrong" };
    const message = await expectError(
      await call(`/redis/hashes/${uniqueKey()}`, {}, wrongToken),
      503,
      "backend_unavailable",
    );
    expect(message).toContain("UPSTASH_REDIS_REST_TOKEN");
  });

  it("answers 503 naming UPSTASH_REDIS_REST_URL when it is not an http(s) URL", async () => {
    const response = await call("/redis/hashes/car", {}, { UPSTASH_REDIS_REST_URL: "nope" });
    expect(await expectError(response, 503, "backend_unavailable")).toContain("UPSTASH_REDIS_REST_URL");
  });

  it("asks for no token on a path or method that does not exist", async () => {
    await expectError(await call("/redis/hashes/", jsonInit("PUT", { a: 1 }, "")), 404, "not_found");
    const production = { ENVIRONMENT: "production", API_TOKEN: undefined };
    await expectError(
      await call("/redis/hashes/car", jsonInit("POST", { a: 1 }, ""), production),
      405,
      "method_not_allowed",
    );
  });

  it("answers 503 naming the variables when Redis is not configured", async () => {
    const response = await call("/redis/hashes/car", {}, { UPSTASH_REDIS_REST_URL: undefined });
    expect(await expectError(response, 503, "backend_unavailable")).toContain("UPSTASH_REDIS_REST_URL");
  });

  it("names the Redis round trip in Server-Timing", async () => {
    const key = uniqueKey();
    await put(key, { a: 1 });
    expect((await call(`/redis/hashes/${key}`)).headers.get("server-timing")).toMatch(/redis;dur=/);
  });

  it("reports Redis in /health", async () => {
    const health = (await (await call("/health")).json()) as {
      checks: { redis: { status: string; backend: string } };
    };
    expect(health.checks.redis).toMatchObject({
      status: "ok",
      backend: expect.stringMatching(/^upstash 127\.0\.0\.1:\d+$/),
    });
  });
});

describe("Redis fan-out", () => {
  it("reads every database at once and isolates the unreachable one", async () => {
    const key = uniqueKey();
    await put(key, { a: "1" });
    const instances = JSON.stringify([
      { name: "same", url: testEnv.UPSTASH_REDIS_REST_URL, token: testEnv.UPSTASH_REDIS_REST_TOKEN },
      { name: "down", url: "http://127.0.0.1:9", token: "x" },
    ]);
    const response = await call(`/redis/fanout/${key}`, {}, { REDIS_INSTANCES: instances });
    expect(response.status).toBe(200);
    const body = (await response.json()) as {
      instances: {
        name: string;
        ok: boolean;
        ms: number;
        fields?: Record<string, string>;
        error?: { code: string };
      }[];
      elapsedMs: number;
      sumMs: number;
    };
    expect(body.instances).toEqual([
      { name: "primary", ok: true, fields: { a: "1" }, ms: expect.any(Number) },
      { name: "same", ok: true, fields: { a: "1" }, ms: expect.any(Number) },
      {
        name: "down",
        ok: false,
        error: { code: "backend_unavailable", message: expect.any(String) },
        ms: expect.any(Number),
      },
    ]);
    expect(body.sumMs).toBe(body.instances.reduce((sum, entry) => sum + entry.ms, 0));
  });

  it("answers 503 naming the variable when a REDIS_INSTANCES url is not a URL", async () => {
    const instances = JSON.stringify([{ name: "bad", url: "nope", token: "x" }]);
    const response = await call("/redis/fanout/car", {}, { REDIS_INSTANCES: instances });
    expect(await expectError(response, 503, "backend_unavailable")).toContain("REDIS_INSTANCES");
  });

  it("answers 503 naming the variable when REDIS_INSTANCES is malformed", async () => {
    const message = await expectError(
      await call("/redis/fanout/car", {}, { REDIS_INSTANCES: "[{}]" }),
      503,
      "backend_unavailable",
    );
    expect(message).toContain("REDIS_INSTANCES");
  });
});
