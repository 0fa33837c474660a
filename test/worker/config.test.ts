import { describe, expect, it } from "vitest";
import type { Bindings } from "../../src/env.ts";
import { byValue } from "../../src/lib/instances.ts";
import { allRedis, primaryRedis } from "../../src/lib/redis.ts";
import { allCarStores, carStore } from "../../src/lib/sql/index.ts";
import { call, testEnv } from "./support.ts";

// Configuration is parsed once per isolate and value: a request with the same values reuses what the first one
// parsed (the very same objects), and a changed value is parsed afresh. Each request gets a new env object, as
// workerd may hand out, so only the values can be what is remembered.
const envWith = (overrides: Partial<Bindings>): Bindings => ({ ...testEnv, ...overrides });

describe("configuration parsed once per value", () => {
  it("runs the parser once per distinct value, and again for a changed one", () => {
    const seen: string[] = [];
    const parse = byValue((raw?: string) => {
      seen.push(String(raw));
      return { raw };
    });
    const first = parse("a");
    expect(parse("a")).toBe(first);
    expect(parse("b")).toEqual({ raw: "b" });
    expect(parse("a")).toBe(first);
    expect(seen).toEqual(["a", "b"]);
  });

  it("remembers a malformed value's error instead of parsing it on every request", () => {
    let runs = 0;
    const parse = byValue((raw?: string) => {
      runs += 1;
      throw new Error(`bad ${raw}`);
    });
    expect(() => parse("x")).toThrow("bad x");
    expect(() => parse("x")).toThrow("bad x");
    expect(runs).toBe(1);
  });

  it("reuses the Redis instance list for the same values and picks up a changed REDIS_INSTANCES", () => {
    const one = JSON.stringify([{ name: "eu", url: "https://eu.example", token: "t" }]);
    const two = JSON.stringify([{ name: "us", url: "https://us.example", token: "t" }]);
    const first = allRedis(envWith({ REDIS_INSTANCES: one }));
    expect(allRedis(envWith({ REDIS_INSTANCES: one }))).toBe(first);
    expect(primaryRedis(envWith({}))).toBe(first[0]);
    expect(allRedis(envWith({ REDIS_INSTANCES: two })).map(({ name }) => name)).toEqual(["primary", "us"]);
    expect(allRedis(envWith({ REDIS_INSTANCES: one }))).toBe(first);
  });

  it("reuses the SQL stores for the same values and picks up a changed DATABASE_URL or SQL_INSTANCES", () => {
    const primary = { DATABASE_URL: "https://user:pw@one.example" };
    const store = carStore(envWith(primary));
    expect(carStore(envWith(primary))).toBe(store);
    expect(carStore(envWith({ DATABASE_URL: "https://user:pw@two.example" })).backend).toBe(
      "planetscale two.example",
    );
    const extra = JSON.stringify([{ name: "eu", url: "https://user:pw@eu.example" }]);
    const [, eu] = allCarStores(envWith({ ...primary, SQL_INSTANCES: extra }));
    expect(allCarStores(envWith({ ...primary, SQL_INSTANCES: extra }))[1]?.store).toBe(eu?.store);
    expect(eu?.store.backend).toBe("planetscale eu.example");
  });

  it("picks up a changed CORS_ORIGINS on the next request", async () => {
    const origin = { headers: { origin: "https://app.example" } };
    const allowedBefore = await call("/timing/sync", origin, { CORS_ORIGINS: "https://app.example" });
    expect(allowedBefore.headers.get("access-control-allow-origin")).toBe("https://app.example");
    const changed = await call("/timing/sync", origin, { CORS_ORIGINS: "https://other.example" });
    expect(changed.headers.get("access-control-allow-origin")).toBeNull();
  });
});
