/**
 * Values make the round trip through the real @upstash/redis client exactly: every encoding the client can
 * ask for, through both endpoints it uses (`POST /` and, with auto-pipelining, `POST /pipeline`).
 */
import { describe, expect, it } from "vitest";
import { MAX_BODY, realOnly, startStack } from "./upstash-harness.ts";

const SUITE = "upstash data round trips";
const stack = await startStack(SUITE);

/** Stored values that a sloppy encoder would alter: base64 look-alikes, JSON look-alikes, blanks, "OK". */
const TRICKY = [
  "",
  "OK",
  "T0s=",
  "YmFy",
  "PONG",
  "null",
  "true",
  "123",
  "-0.5",
  '{"a":1}',
  "[1,2]",
  '"quoted"',
  "  padded  ",
  "line\nbreak\ttab",
  "nul\u0000inside",
  "héllo wörld – 中文 – emoji 👋🏽🎉",
];

const variants = [
  {
    name: "base64 responses, auto-pipelined (POST /pipeline)",
    responseEncoding: "base64",
    enableAutoPipelining: true,
  },
  {
    name: "base64 responses, single commands (POST /)",
    responseEncoding: "base64",
    enableAutoPipelining: false,
  },
  { name: "raw responses, auto-pipelined", responseEncoding: false, enableAutoPipelining: true },
  { name: "raw responses, single commands", responseEncoding: false, enableAutoPipelining: false },
] as const;

describe.each(variants)("with $name", ({ name, responseEncoding, enableAutoPipelining }) => {
  // Without automatic deserialization the client hands back exactly the string the server sent.
  const exact = stack.client({ responseEncoding, enableAutoPipelining, automaticDeserialization: false });
  const parsed = stack.client({ responseEncoding, enableAutoPipelining });
  const key = (suffix: string) => `data:${name}:${suffix}`;

  it("returns every tricky string unchanged from GET, top-level and inside MGET arrays", async () => {
    for (const [i, value] of TRICKY.entries()) {
      expect(await exact.set(key(`t${i}`), value)).toBe("OK");
      expect(await exact.get(key(`t${i}`))).toBe(value);
    }
    const keys = TRICKY.map((_, i) => key(`t${i}`));
    expect(await exact.mget(...keys)).toEqual(TRICKY);
  });

  it("keeps numbers as numbers and integer replies as integers", async () => {
    await parsed.set(key("n"), 42);
    expect(await parsed.get(key("n"))).toBe(42);
    expect(await parsed.incrby(key("n"), 8)).toBe(50);
    expect(await parsed.incrbyfloat(key("f"), 1.5)).toBe(1.5);
    expect(await parsed.zadd(key("z"), { score: 2.25, member: "m" })).toBe(1);
    expect(await parsed.zscore(key("z"), "m")).toBe(2.25);
  });

  it("round-trips JSON objects that the client serializes", async () => {
    const value = { name: "Ünïcode 🚀", list: [1, "two", null], nested: { ok: true } };
    await parsed.set(key("json"), value);
    expect(await parsed.get(key("json"))).toEqual(value);
  });

  it("stores and reads a hash of 100 fields with HSET and HGETALL", async () => {
    const fields = Object.fromEntries(
      Array.from({ length: 100 }, (_, i) => [
        `field-${i}`,
        i % 2 ? `välue ${i} ✓` : TRICKY[i % TRICKY.length],
      ]),
    );
    expect(await exact.hset(key("hash"), fields)).toBe(100);
    expect(await exact.hlen(key("hash"))).toBe(100);
    // Without deserialization HGETALL is the flat [field, value, ...] array the server sent.
    const flat = (await exact.hgetall(key("hash"))) as unknown as string[];
    const pairs = Array.from({ length: flat.length / 2 }, (_, i) => [flat[2 * i], flat[2 * i + 1]]);
    expect(Object.fromEntries(pairs)).toEqual(fields);
    expect(await exact.hget(key("hash"), "field-0")).toBe("");
    expect(await parsed.hgetall(key("hash"))).toMatchObject({
      "field-1": "välue 1 ✓",
      "field-2": "T0s=",
      "field-6": true,
    });
  });

  it("answers null for missing keys", async () => {
    expect(await exact.get(key("missing"))).toBeNull();
    expect(await exact.mget(key("missing"), key("missing-too"))).toEqual([null, null]);
  });
});

describe("request size", () => {
  const exact = stack.client({ automaticDeserialization: false });

  it("accepts a value just under the 1 MiB request limit and returns it whole", async () => {
    // The JSON around the value ([["set","big:under","…"]]) needs a few dozen bytes of the budget.
    const value = "v".repeat(MAX_BODY - 64);
    expect(await exact.set("big:under", value)).toBe("OK");
    expect(await exact.strlen("big:under")).toBe(value.length);
    expect(await exact.get("big:under")).toBe(value);
  });

  it("refuses a value over the limit with Upstash's error and stores nothing", async () => {
    await expect(exact.set("big:over", "v".repeat(MAX_BODY + 1))).rejects.toThrow(
      /ERR max request size exceeded/,
    );
    expect(await exact.exists("big:over")).toBe(0);
  });
});

describe("wire encoding", () => {
  it("base64-encodes every string, OK included, only when asked to", async () => {
    await stack.post("/", ["set", "wire:bar", "bar"]);
    const encoded = await stack.post("/pipeline", [["get", "wire:bar"], ["ping"], ["set", "wire:x", "1"]], {
      "upstash-encoding": "base64",
    });
    expect(encoded.json).toEqual([{ result: "YmFy" }, { result: "UE9ORw==" }, { result: "T0s=" }]);
    const plain = await stack.post("/pipeline", [["get", "wire:bar"], ["ping"], ["set", "wire:x", "1"]]);
    expect(plain.json).toEqual([{ result: "bar" }, { result: "PONG" }, { result: "OK" }]);
  });

  it("sends JSON numbers to Redis as their original text, never reformatted", async () => {
    // Raw bodies: the client would already have rounded 12345678901234567890 to a double.
    const cases: [string, string][] = [
      ["12345678901234567890", "12345678901234567890"],
      ["1e+21", "1e+21"],
      ["1.50", "1.50"],
      ["-0", "-0"],
      ["true", "true"],
      ["null", ""],
    ];
    for (const [literal, stored] of cases) {
      expect((await stack.post("/", `["set","wire:num",${literal}]`)).json).toEqual({ result: "OK" });
      expect((await stack.post("/", ["get", "wire:num"])).json).toEqual({ result: stored });
    }
  });

  realOnly(
    stack,
    SUITE,
    "keeps binary values byte for byte in base64, and replaces bad UTF-8 without it",
    async () => {
      // The client cannot send bytes that are not UTF-8, so Lua writes them.
      const script = "return redis.call('set', KEYS[1], string.char(255, 0, 128, 10))";
      expect((await stack.post("/", ["eval", script, 1, "wire:bin"])).json).toEqual({ result: "OK" });
      const encoded = await stack.post("/", ["get", "wire:bin"], { "upstash-encoding": "base64" });
      expect(Buffer.from((encoded.json as { result: string }).result, "base64")).toEqual(
        Buffer.from([255, 0, 128, 10]),
      );
      expect((await stack.post("/", ["get", "wire:bin"])).json).toEqual({ result: "\uFFFD\u0000\uFFFD\n" });
    },
  );

  realOnly(
    stack,
    SUITE,
    "turns Lua floats, booleans and nested errors into what a RESP2 client sees",
    async () => {
      const script = "return {1, 3.7, true, false, 'x', {redis.error_reply('ERR inner')}}";
      expect((await stack.post("/", ["eval", script, 0])).json).toEqual({
        result: [1, 3, 1, null, "x", ["ERR inner"]],
      });
    },
  );
});
