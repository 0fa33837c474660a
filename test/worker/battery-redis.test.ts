import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { loneSurrogate } from "./battery-arbitraries.ts";
import { type FieldValue, fieldName, fieldValue, invalidRedisRequest } from "./battery-redis-arbitraries.ts";
import { expectRejected, runs, send, uniqueRun } from "./battery-support.ts";
import { call, jsonInit, testEnv } from "./support.ts";

/** Keys matching a pattern, asked of Redis directly (through its REST endpoint), not through the Worker. */
async function keysMatching(pattern: string): Promise<string[]> {
  const response = await fetch(testEnv.UPSTASH_REDIS_REST_URL ?? "", {
    method: "POST",
    headers: { authorization: `Bearer ${testEnv.UPSTASH_REDIS_REST_TOKEN}` },
    body: JSON.stringify(["KEYS", pattern]),
  });
  expect(response.status).toBe(200);
  return ((await response.json()) as { result: string[] }).result.sort();
}

const anyKey = fc.stringMatching(/^[A-Za-z0-9:._-]{0,20}$/).map((suffix) => `@RUN-${suffix}`);

describe("Redis bad-input battery", () => {
  it("answers 300 malformed requests with a 4xx in the error shape and stores nothing", async () => {
    const run = uniqueRun("brd");
    await fc.assert(
      fc.asyncProperty(invalidRedisRequest(anyKey), async ({ probe, allowed }) => {
        await expectRejected(await send(probe, run), allowed, probe);
      }),
      runs(300),
    );
    expect(await keysMatching(`*${run}*`)).toEqual([]);
  }, 60_000);

  it("keeps exactly what the valid requests of a mixed sequence wrote", async () => {
    const pool = fc.uniqueArray(fieldName, { minLength: 6, maxLength: 6 });
    const ops = fc.array(redisOp, { minLength: 10, maxLength: 30 });
    await fc.assert(fc.asyncProperty(pool, ops, replay), runs(30));
  }, 60_000);

  it("refuses a field named __proto__ instead of silently dropping it", async () => {
    const key = uniqueRun("brp");
    const body = '{"__proto__":"x","a":"1"}';
    const put = await call(`/redis/hashes/${key}`, jsonInit("PUT", body));
    await expectRejected(put, [400]);
    expect((await call(`/redis/hashes/${key}`)).status).toBe(404);
  });

  it("keeps a leading byte-order mark in field names and values", async () => {
    const key = uniqueRun("brb");
    const fields = { "\ufeffname": "\ufeffvalue", plain: "\ufeff" };
    expect((await call(`/redis/hashes/${key}`, jsonInit("PUT", fields))).status).toBe(200);
    const read = (await (await call(`/redis/hashes/${key}`)).json()) as { fields: object };
    expect(read.fields).toEqual(fields);
  });

  it("refuses text with an unpaired surrogate, or stores it exactly", async () => {
    const text = fc
      .tuple(fc.string({ maxLength: 4 }), loneSurrogate, fc.string({ maxLength: 4 }))
      .map((parts) => parts.join(""));
    await fc.assert(
      fc.asyncProperty(text, fc.boolean(), async (odd, asName) => {
        const key = uniqueRun("brs");
        const fields = asName ? { [odd]: "v" } : { v: odd };
        const put = await call(`/redis/hashes/${key}`, jsonInit("PUT", fields));
        if (put.status !== 200) return expectRejected(put, [400]);
        const read = (await (await call(`/redis/hashes/${key}`)).json()) as { fields: object };
        // Compared as escaped JSON: a raw unpaired surrogate in a failure message breaks the test runner's channel.
        expect(JSON.stringify(read.fields)).toBe(JSON.stringify(fields));
      }),
      runs(30),
    );
  });
});

// ---- The model-based run: valid requests change a model of the run's three hashes, invalid ones must not. ----

const slot = fc.integer({ min: 0, max: 2 });
const fieldRef = fc.integer({ min: 0, max: 5 });
const fieldList = fc.array(fc.tuple(fieldRef, fieldValue), { minLength: 1, maxLength: 5 });
const ttl = fc.option(fc.integer({ min: 100, max: 31_536_000 }), { nil: undefined });

const redisOp = fc.oneof(
  { weight: 3, arbitrary: fc.record({ op: fc.constant("put" as const), key: slot, fields: fieldList, ttl }) },
  { weight: 3, arbitrary: fc.record({ op: fc.constant("patch" as const), key: slot, fields: fieldList }) },
  { weight: 2, arbitrary: fc.record({ op: fc.constant("get" as const), key: slot }) },
  { weight: 2, arbitrary: fc.record({ op: fc.constant("getField" as const), key: slot, field: fieldRef }) },
  { weight: 1, arbitrary: fc.record({ op: fc.constant("delete" as const), key: slot }) },
  {
    weight: 2,
    arbitrary: fc.record({ op: fc.constant("deleteField" as const), key: slot, field: fieldRef }),
  },
  {
    weight: 5,
    arbitrary: fc.record({
      op: fc.constant("bad" as const),
      rejection: invalidRedisRequest(slot.map((i) => `@RUN-k${i}`)),
    }),
  },
);
type RedisOp = typeof redisOp extends fc.Arbitrary<infer T> ? T : never;

interface StoredHash {
  fields: Map<string, string>;
  ttl: number | null;
}

interface HashAnswer {
  key: string;
  fields: Record<string, string>;
  ttl: number | null;
}

async function replay(pool: string[], ops: RedisOp[]) {
  const run = uniqueRun("brm");
  const model = new Map<string, StoredHash>();
  const keyOf = (i: number) => `${run}-k${i}`;
  const nameOf = (i: number) => pool[i % pool.length] ?? "";
  // What the Worker receives is the JSON text; numbers come back as String() of the parsed number.
  const fieldsOf = (list: [number, FieldValue][]) =>
    JSON.parse(JSON.stringify(Object.fromEntries(list.map(([i, value]) => [nameOf(i), value])))) as Record<
      string,
      FieldValue
    >;
  const expectHash = (answer: HashAnswer, key: string) => {
    const stored = model.get(key);
    expect(Object.entries(answer.fields).sort()).toEqual([...(stored?.fields ?? [])].sort());
    if (stored?.ttl) expect(answer.ttl).toBeGreaterThan(0);
    if (stored?.ttl) expect(answer.ttl).toBeLessThanOrEqual(stored.ttl);
    else expect(answer.ttl).toBeNull();
  };

  for (const op of ops) {
    if (op.op === "bad") {
      await expectRejected(await send(op.rejection.probe, run), op.rejection.allowed, op.rejection.probe);
      continue;
    }
    const key = keyOf(op.key);
    const path = `/redis/hashes/${key}`;
    const stored = model.get(key);
    if (op.op === "put" || op.op === "patch") {
      const fields = fieldsOf(op.fields);
      const query = op.op === "put" && op.ttl ? `?ttl=${op.ttl}` : "";
      const response = await call(`${path}${query}`, jsonInit(op.op.toUpperCase(), fields));
      expect(response.status, await response.clone().text()).toBe(200);
      const strings = Object.entries(fields).map(([name, value]): [string, string] => [name, String(value)]);
      if (op.op === "put") model.set(key, { fields: new Map(strings), ttl: op.ttl ?? null });
      else
        model.set(key, {
          fields: new Map([...(stored?.fields ?? []), ...strings]),
          ttl: stored?.ttl ?? null,
        });
      expectHash((await response.json()) as HashAnswer, key);
    } else if (op.op === "get") {
      const response = await call(path);
      if (!stored) await expectRejected(response, [404]);
      else expectHash((await response.json()) as HashAnswer, key);
    } else if (op.op === "getField") {
      const field = nameOf(op.field);
      const response = await call(`${path}/fields/${encodeURIComponent(field)}`);
      const value = stored?.fields.get(field);
      if (value === undefined) await expectRejected(response, [404]);
      else expect(await response.json()).toEqual({ key, field, value });
    } else if (op.op === "delete") {
      const response = await call(path, jsonInit("DELETE", undefined));
      if (!stored) await expectRejected(response, [404]);
      else expect(response.status).toBe(204);
      model.delete(key);
    } else {
      const field = nameOf(op.field);
      const response = await call(
        `${path}/fields/${encodeURIComponent(field)}`,
        jsonInit("DELETE", undefined),
      );
      if (!stored?.fields.has(field)) {
        await expectRejected(response, [404]);
        continue;
      }
      expect(response.status).toBe(204);
      stored.fields.delete(field);
      // Redis drops a hash with its last field.
      if (stored.fields.size === 0) model.delete(key);
    }
  }

  for (const i of [0, 1, 2]) {
    const response = await call(`/redis/hashes/${keyOf(i)}`);
    if (!model.has(keyOf(i))) await expectRejected(response, [404]);
    else expectHash((await response.json()) as HashAnswer, keyOf(i));
  }
  // Nothing extra: no key under this run's prefix besides the ones the model holds.
  expect(await keysMatching(`*${run}*`)).toEqual([...model.keys()].sort());
}
