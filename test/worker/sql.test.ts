import { describe, expect, it } from "vitest";
import type { Bindings } from "../../src/env.ts";
import type { Car } from "../../src/lib/sql/cars.ts";
import { call, expectError, jsonInit, testEnv } from "./support.ts";

// The same assertions run against both backends: the API promises identical answers. The PlanetScale path
// needs MariaDB; test/setup/global.ts fails the run under CI without it and warns loudly elsewhere.
type Backend = [name: string, overrides: Partial<Bindings>, backendName: RegExp];
const planetscale: Backend = ["PlanetScale (emulator + MariaDB)", {}, /^planetscale 127\.0\.0\.1:\d+$/];
const backends: Backend[] = [
  ...(testEnv.DATABASE_URL ? [planetscale] : []),
  ["D1", { DATABASE_URL: undefined, SQL_INSTANCES: undefined }, /^d1$/],
];

describe.each(backends)("SQL on %s", (_name, overrides, backendName) => {
  // Shared databases outlive a test file, so each test works on makes no other test uses.
  const uniqueMake = () => `Make-${crypto.randomUUID().slice(0, 8)}`;
  const send = (path: string, init: RequestInit = {}) => call(path, init, overrides);
  const create = async (car: Record<string, unknown>) => {
    const response = await send("/sql/cars", jsonInit("POST", car));
    expect(response.status).toBe(201);
    return (await response.json()) as Car;
  };

  it("creates a car with 201 and a location that reads back the same bytes", async () => {
    const response = await send(
      "/sql/cars",
      jsonInit("POST", {
        make: uniqueMake(),
        model: "Corolla 🚗",
        year: 2021,
        price: "18999",
        specs: { z: 1, a: [2] },
      }),
    );
    expect(response.status).toBe(201);
    const created = await response.text();
    const car = JSON.parse(created) as Car;
    expect(car).toMatchObject({
      model: "Corolla 🚗",
      year: 2021,
      price: "18999.00",
      specs: { a: [2], z: 1 },
    });
    expect(car.id).toMatch(/^\d+$/);
    expect(car.createdAt).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/);
    expect(response.headers.get("location")).toBe(`/sql/cars/${car.id}`);
    expect(await (await send(`/sql/cars/${car.id}`)).text()).toBe(created);
  });

  it("stores a car without specs as null specs", async () => {
    const car = await create({ make: uniqueMake(), model: "Model 3", year: 2019, price: "39990.50" });
    expect(car.specs).toBeNull();
    expect(car.price).toBe("39990.50");
  });

  it("pages through one make by id with nextCursor", async () => {
    const make = uniqueMake();
    const ids: string[] = [];
    for (const year of [2001, 2002, 2003, 2004, 2005])
      ids.push((await create({ make, model: "M", year, price: "1.00" })).id);
    const seen: string[] = [];
    let cursor: string | null = null;
    do {
      const after: string = cursor ? `&cursor=${cursor}` : "";
      const page = (await (await send(`/sql/cars?make=${make}&limit=2${after}`)).json()) as {
        items: Car[];
        nextCursor: string | null;
      };
      expect(page.items.length).toBeLessThanOrEqual(2);
      seen.push(...page.items.map((car) => car.id));
      cursor = page.nextCursor;
    } while (cursor !== null);
    expect(seen).toEqual(ids);
  });

  it("patches only the given fields and keeps the rest", async () => {
    const car = await create({
      make: uniqueMake(),
      model: "Civic",
      year: 2010,
      price: "5000",
      specs: { doors: 4 },
    });
    const response = await send(`/sql/cars/${car.id}`, jsonInit("PATCH", { price: "4500.5" }));
    expect(response.status).toBe(200);
    expect(await response.json()).toEqual({ ...car, price: "4500.50" });
  });

  it("patching a car with its own values still finds it", async () => {
    const car = await create({ make: uniqueMake(), model: "Same", year: 2010, price: "1" });
    const response = await send(`/sql/cars/${car.id}`, jsonInit("PATCH", { model: "Same" }));
    expect(response.status).toBe(200);
  });

  it("deletes a car with 204 and then answers 404 for it", async () => {
    const car = await create({ make: uniqueMake(), model: "Gone", year: 2000, price: "1" });
    expect((await send(`/sql/cars/${car.id}`, jsonInit("DELETE", undefined))).status).toBe(204);
    await expectError(await send(`/sql/cars/${car.id}`), 404, "not_found");
    await expectError(await send(`/sql/cars/${car.id}`, jsonInit("DELETE", undefined)), 404, "not_found");
    await expectError(await send(`/sql/cars/${car.id}`, jsonInit("PATCH", { year: 2001 })), 404, "not_found");
  });

  it("counts and averages per make in /sql/stats", async () => {
    const make = uniqueMake();
    for (const price of ["1.00", "2.00", "2.00"]) await create({ make, model: "S", year: 2020, price });
    const stats = (await (await send("/sql/stats")).json()) as {
      byMake: { make: string; count: number; avgPrice: string }[];
      total: number;
    };
    expect(stats.byMake.find((row) => row.make === make)).toEqual({ make, count: 3, avgPrice: "1.67" });
    expect(stats.total).toBe(stats.byMake.reduce((sum, row) => sum + row.count, 0));
    // Both backends order byte by byte (UTF-8), which is code point order, not JavaScript's UTF-16 order.
    const makes = stats.byMake.map((row) => row.make);
    const utf8 = (text: string) =>
      Array.from(new TextEncoder().encode(text), (byte) => byte.toString(16).padStart(2, "0")).join("");
    expect(makes.map(utf8)).toEqual(makes.map(utf8).sort());
  });

  it("keeps SQL metacharacters as plain data", async () => {
    const make = `${uniqueMake()}'; DROP TABLE cars; -- \\`;
    const car = await create({ make, model: `"quoted" \\' %_`, year: 2020, price: "1" });
    expect(car.make).toBe(make);
    const page = (await (await send(`/sql/cars?make=${encodeURIComponent(make)}`)).json()) as {
      items: Car[];
    };
    expect(page.items.map((item) => item.id)).toEqual([car.id]);
  });

  it.each([
    [{ model: "x", year: 2000, price: "1" }, "make"],
    [{ make: "", model: "x", year: 2000, price: "1" }, "make"],
    [{ make: "a".repeat(65), model: "x", year: 2000, price: "1" }, "make"],
    [{ make: "a", model: "x", year: 1885, price: "1" }, "year"],
    [{ make: "a", model: "x", year: 2000.5, price: "1" }, "year"],
    [{ make: "a", model: "x", year: 2000, price: 1 }, "price"],
    [{ make: "a", model: "x", year: 2000, price: "1.234" }, "price"],
    [{ make: "a", model: "x", year: 2000, price: "123456789" }, "price"],
    [{ make: "a", model: "x", year: 2000, price: "1", specs: [1] }, "specs"],
    [{ make: "a", model: "x", year: 2000, price: "1", color: "red" }, "color"],
  ])("refuses the new car %j with a 400 naming `%s`", async (body, field) => {
    const message = await expectError(
      await send("/sql/cars", jsonInit("POST", body)),
      400,
      "invalid_request",
    );
    expect(message).toContain(field);
  });

  it.each([
    ["/sql/cars?limit=0", "limit"],
    ["/sql/cars?limit=101", "limit"],
    ["/sql/cars?cursor=abc", "cursor"],
    ["/sql/cars/0", "id"],
    ["/sql/cars/abc", "id"],
  ])("refuses %s with a 400 naming `%s`", async (path, field) => {
    expect(await expectError(await send(path), 400, "invalid_request")).toContain(field);
  });

  it("refuses an empty patch and malformed JSON", async () => {
    await expectError(await send("/sql/cars/1", jsonInit("PATCH", {})), 400, "invalid_request");
    await expectError(await send("/sql/cars", jsonInit("POST", "{not json")), 400, "invalid_request");
  });

  it("refuses a body that is not JSON with 415", async () => {
    const init = {
      method: "POST",
      headers: { "content-type": "text/plain", authorization: `Bearer ${testEnv.API_TOKEN}` },
      body: "x",
    };
    await expectError(await send("/sql/cars", init), 415, "unsupported_media_type");
  });

  it("refuses writes without the bearer token", async () => {
    const body = { make: "a", model: "b", year: 2000, price: "1" };
    await expectError(await send("/sql/cars", jsonInit("POST", body, "")), 401, "unauthorized");
    await expectError(await send("/sql/cars", jsonInit("POST", body, "wrong")), 401, "unauthorized");
    await expectError(await send("/sql/cars/1", jsonInit("DELETE", undefined, "")), 401, "unauthorized");
  });

  it("reports the answering backend in /health", async () => {
    const health = (await (await send("/health")).json()) as {
      checks: { sql: { status: string; backend: string } };
    };
    expect(health.checks.sql.status).toBe("ok");
    expect(health.checks.sql.backend).toMatch(backendName);
  });
});

describe("SQL fan-out", () => {
  it("reports every database, with an unreachable one isolated in its own entry", async () => {
    const instances = JSON.stringify([{ name: "down", url: "http://user:pass@127.0.0.1:9" }]);
    const response = await call("/sql/fanout", {}, { SQL_INSTANCES: instances });
    expect(response.status).toBe(200);
    const body = (await response.json()) as {
      databases: { name: string; ok: boolean; error?: { code: string } }[];
      elapsedMs: number;
      sumMs: number;
    };
    expect(body.databases.map((db) => [db.name, db.ok])).toEqual([
      ["primary", true],
      ["down", false],
    ]);
    expect(body.databases[1]?.error?.code).toBe("backend_unavailable");
  });

  it("answers 503 naming the variable when SQL_INSTANCES is malformed", async () => {
    const message = await expectError(
      await call("/sql/fanout", {}, { SQL_INSTANCES: "{" }),
      503,
      "backend_unavailable",
    );
    expect(message).toContain("SQL_INSTANCES");
  });

  it("answers 503 naming the variable when DATABASE_URL or an SQL_INSTANCES url is not a URL", async () => {
    const badPrimary = await call("/sql/cars", {}, { DATABASE_URL: "nope" });
    expect(await expectError(badPrimary, 503, "backend_unavailable")).toContain("DATABASE_URL");
    const badExtra = await call(
      "/sql/fanout",
      {},
      { SQL_INSTANCES: JSON.stringify([{ name: "x", url: "nope" }]) },
    );
    expect(await expectError(badExtra, 503, "backend_unavailable")).toContain("SQL_INSTANCES");
  });

  it("keeps ids above 2^53 exact on D1, so a neighbouring id never answers for them", async () => {
    const d1 = { DATABASE_URL: undefined };
    await testEnv.DB.prepare(
      "INSERT INTO cars (id, make, model, year, price_cents) VALUES (9007199254740992, 'Big', 'Id', 2000, 100)",
    ).run();
    await expectError(await call("/sql/cars/9007199254740993", {}, d1), 404, "not_found");
    await expectError(
      await call("/sql/cars/9007199254740993", jsonInit("DELETE", undefined), d1),
      404,
      "not_found",
    );
    const car = (await (await call("/sql/cars/9007199254740992", {}, d1)).json()) as Car;
    expect(car.id).toBe("9007199254740992");
  });

  it("answers 503 when the database is unreachable", async () => {
    const response = await call("/sql/cars/1", {}, { DATABASE_URL: "http://user:pass@127.0.0.1:9" });
    await expectError(response, 503, "backend_unavailable");
  });
});
