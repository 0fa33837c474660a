import { describe, expect, it } from "vitest";
import type { Bindings } from "../../src/env.ts";
import { call, expectError, jsonInit, testEnv } from "./support.ts";

// Each 502/503/504 branch of the backend error mapping, produced by a real server where one can be made to give
// the answer, and otherwise by the fault harness' faulty upstream (test/setup/fault-upstream.ts), which picks its
// canned answer by the credential the Worker sends.
const upstream = `${testEnv.FAULT_CONTROL_URL}/upstream`;
const faultyRedis = (answer: string) => ({
  UPSTASH_REDIS_REST_URL: upstream,
  UPSTASH_REDIS_REST_TOKEN: answer,
});
const faultySql = (answer: string) => {
  const url = new URL(testEnv.FAULT_CONTROL_URL);
  url.username = "fault";
  url.password = answer;
  return { DATABASE_URL: url.href };
};
const uniqueKey = (prefix: string) => `${prefix}:${crypto.randomUUID()}`;

/** Stores a plain string under `key` directly through the REST endpoint, so hash commands on it fail. */
async function setString(key: string): Promise<void> {
  const response = await fetch(testEnv.UPSTASH_REDIS_REST_URL ?? "", {
    method: "POST",
    headers: { authorization: `Bearer ${testEnv.UPSTASH_REDIS_REST_TOKEN}` },
    body: JSON.stringify(["SET", key, "not a hash"]),
  });
  expect(response.status).toBe(200);
}

describe("Redis errors", () => {
  // The single-command path echoes the command (and so the key) in the client's message; a key saying
  // "unreachable" once made a WRONGTYPE look like an outage.
  it.each([
    ["one command", "unreachable", (key: string) => `/redis/hashes/${key}/fields/f`],
    ["a pipeline", "unavailable", (key: string) => `/redis/hashes/${key}`],
  ])(
    "answers 502 backend_error for a real WRONGTYPE through %s, whatever the key says",
    async (_, word, path) => {
      const key = uniqueKey(word);
      await setString(key);
      await expectError(await call(path(key)), 502, "backend_error");
    },
  );

  it("answers 502 for a write that Redis refuses inside MULTI/EXEC", async () => {
    const key = uniqueKey("tx");
    await setString(key);
    await expectError(
      await call(`/redis/hashes/${key}`, jsonInit("PATCH", { a: "1" })),
      502,
      "backend_error",
    );
  });

  it.each([
    ["HTTP 500 with an error body", "upstash-500", 502, "backend_error"],
    ["a gateway's HTML page", "upstash-html-502", 503, "backend_unavailable"],
    ["a 200 that is not JSON", "upstash-garbage-200", 503, "backend_unavailable"],
    ["LOADING", "upstash-loading", 503, "backend_unavailable"],
    ["Upstash's 413", "upstash-413", 413, "payload_too_large"],
  ])("maps %s from the REST endpoint (%s) to %i", async (_, answer, status, code) => {
    await expectError(await call("/redis/hashes/car", {}, faultyRedis(answer)), status, code);
  });

  it.each([
    ["the older 401 wording", "upstash-unauthorized"],
    ["NOPERM", "upstash-noperm"],
  ])("answers 503 naming the token for %s", async (_, answer) => {
    const message = await expectError(
      await call("/redis/hashes/car", {}, faultyRedis(answer)),
      503,
      "backend_unavailable",
    );
    expect(message).toContain("UPSTASH_REDIS_REST_TOKEN");
  });

  it("keeps a refused credential in its fan-out entry", async () => {
    const instances = JSON.stringify([{ name: "refused", url: upstream, token: "upstash-unauthorized" }]);
    const response = await call("/redis/fanout/car", {}, { REDIS_INSTANCES: instances });
    const body = (await response.json()) as { instances: { name: string; error?: { message: string } }[] };
    expect(body.instances[1]?.error?.message).toContain("UPSTASH_REDIS_REST_TOKEN");
  });
});

describe("PlanetScale errors", () => {
  // The shared database's URL with another password: the real endpoint refuses it with 401.
  const wrongPassword = testEnv.DATABASE_URL ? [testEnv.DATABASE_URL] : [];
  it.each(wrongPassword)(
    "answers 503 naming DATABASE_URL when the endpoint refuses the password",
    async (url) => {
      const refused = new URL(url);
      refused.password = "wrong-password";
      const response = await call("/sql/cars/1", {}, { DATABASE_URL: refused.href });
      expect(await expectError(response, 503, "backend_unavailable")).toContain("DATABASE_URL");
    },
  );

  it.each([
    ["an SQL error whose text says 'connection timed out'", "psdb-sql-error", 502, "backend_error"],
    ["a 200 that is not JSON", "psdb-garbage-200", 502, "backend_error"],
    ["vtrpc UNAVAILABLE", "psdb-unavailable", 503, "backend_unavailable"],
    ["HTTP 500 without JSON", "psdb-500-html", 503, "backend_unavailable"],
    ["Cloudflare's 522", "psdb-522", 503, "backend_unavailable"],
    ["vtrpc DEADLINE_EXCEEDED", "psdb-deadline", 504, "backend_timeout"],
    ["a gateway's 504", "psdb-504", 504, "backend_timeout"],
  ])("maps %s (%s) to %i", async (_, answer, status, code) => {
    await expectError(await call("/sql/stats", {}, faultySql(answer)), status, code);
  });

  it.each([
    ["a 401 in Connect's form, without an error key", "psdb-connect-401"],
    ["vtrpc PERMISSION_DENIED", "psdb-permission"],
  ])("answers 503 naming DATABASE_URL for %s", async (_, answer) => {
    const response = await call("/sql/stats", {}, faultySql(answer));
    expect(await expectError(response, 503, "backend_unavailable")).toContain("DATABASE_URL");
  });
});

/** A D1 binding whose every statement fails with `message`: D1's own outages cannot be caused locally. */
function failingD1(message: string): D1Database {
  const fail = () => Promise.reject(new Error(message, { cause: new Error(message) }));
  const statement: Pick<D1PreparedStatement, "bind" | "all" | "first" | "run" | "raw"> = {
    bind: () => statement as D1PreparedStatement,
    all: fail,
    first: fail,
    run: fail,
    raw: fail,
  };
  const database: Pick<D1Database, "prepare"> = { prepare: () => statement as D1PreparedStatement };
  return database as D1Database;
}
const onD1 = (db: D1Database): Partial<Bindings> => ({ DATABASE_URL: undefined, DB: db });

describe("D1 errors", () => {
  it.each([
    "Network connection lost.",
    "D1_ERROR: D1 DB is overloaded. Requests queued for too long.",
    "D1_ERROR: D1 DB reset because its code was updated.",
    "D1_ERROR: Internal error while starting up D1 DB storage caused object to be reset.",
  ])("answers 503 for D1's transient failure %j", async (message) => {
    await expectError(await call("/sql/stats", {}, onD1(failingD1(message))), 503, "backend_unavailable");
  });

  it.each([
    "D1_ERROR: no such column: connection at offset 7: SQLITE_ERROR",
    "D1_ERROR: Network connection lost, timed out: SQLITE_CONSTRAINT (extended: SQLITE_CONSTRAINT_TRIGGER)",
    "D1_TYPE_ERROR: Type 'undefined' not supported for value 'undefined'",
  ])("answers 502 for the SQL error %j, whatever its words", async (message) => {
    await expectError(await call("/sql/stats", {}, onD1(failingD1(message))), 502, "backend_error");
  });
});
