import { describe, expect, it } from "vitest";
import { call, expectError, jsonInit, testEnv } from "./support.ts";

// Changes the schema of this file's own D1 database (storage is isolated per test file): a trigger that fails
// inserts, then no cars table at all, as plain `wrangler dev` starts before anyone applies the migrations.
const d1 = { DATABASE_URL: undefined };
const car = { make: "Schema", model: "S", year: 2000, price: "1.00" };
const migrate = "npx wrangler d1 migrations apply DB --local";

describe("D1 schema errors", () => {
  it("answers 502, not 503 or 504, for an SQL error whose text says 'connection' and 'timed out'", async () => {
    await testEnv.DB.prepare(
      "CREATE TRIGGER refuse_cars BEFORE INSERT ON cars BEGIN SELECT RAISE(ABORT, 'Network connection lost, timed out'); END",
    ).run();
    try {
      await expectError(await call("/sql/cars", jsonInit("POST", car), d1), 502, "backend_error");
    } finally {
      await testEnv.DB.prepare("DROP TRIGGER refuse_cars").run();
    }
    expect((await call("/sql/cars", jsonInit("POST", car), d1)).status).toBe(201);
  });

  it("answers 503 naming the migrate command while D1 has no cars table, on reads, writes and /health", async () => {
    await testEnv.DB.prepare("DROP TABLE cars").run();
    for (const [path, init] of [
      ["/sql/cars", {}],
      ["/sql/stats", {}],
      ["/sql/cars", jsonInit("POST", car)],
    ] as const) {
      const message = await expectError(await call(path, init, d1), 503, "backend_unavailable");
      expect(message, path).toContain(migrate);
    }
    const health = await call("/health", {}, d1);
    expect(health.status).toBe(503);
    expect(await health.json()).toMatchObject({
      checks: { sql: { status: "degraded", message: expect.stringContaining(migrate) } },
    });
  });
});
