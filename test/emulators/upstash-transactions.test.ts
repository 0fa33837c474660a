/**
 * Pipelines, MULTI/EXEC and scripts as @upstash/redis (and @upstash/ratelimit on top of it) use them:
 * per-command errors, transactions from many clients at once, and Redis' own NOSCRIPT text.
 */
import { describe, expect, it } from "vitest";
import { failure, realOnly, startStack } from "./upstash-harness.ts";

const SUITE = "upstash pipelines, transactions and scripts";
const stack = await startStack(SUITE);
const redis = stack.client();
const UNKNOWN_SHA = "0123456789abcdef0123456789abcdef01234567";

describe("pipelines", () => {
  realOnly(stack, SUITE, "report a failing command in the middle while the others still run", async () => {
    await redis.set("p:text", "not a number");
    const pipeline = redis.pipeline();
    pipeline.set("p:before", "1");
    pipeline.incr("p:text");
    pipeline.get("p:before");
    const items = await pipeline.exec({ keepErrors: true });
    expect(items).toEqual([
      { result: "OK", error: undefined },
      { result: undefined, error: "ERR value is not an integer or out of range" },
      { result: 1, error: undefined },
    ]);
  });

  realOnly(stack, SUITE, "make exec() without keepErrors throw, naming the failed command", async () => {
    await redis.set("p:text2", "still text");
    const pipeline = redis.pipeline().set("p:after", "x").incr("p:text2").get("p:after");
    expect((await failure(pipeline.exec())).message).toMatch(
      /Command 2 \[ incr \] failed: ERR value is not an integer/,
    );
    // Not atomic, as on Upstash: the command before the failure was applied.
    expect(await redis.get("p:after")).toBe("x");
  });

  it("answer a pipeline item with Redis' error while the rest succeed (both backends)", async () => {
    const items = await redis
      .pipeline()
      .set("p:ok", "1")
      .evalsha(UNKNOWN_SHA, [], [])
      .get("p:ok")
      .exec({ keepErrors: true });
    expect(items.map((item) => item.error === undefined)).toEqual([true, false, true]);
    expect(items[1]?.error).toMatch(/^NOSCRIPT/);
    expect(items[2]?.result).toBe(1);
  });

  it("keep auto-pipelined commands independent: one failure rejects only its own promise", async () => {
    const [set, bad, get] = await Promise.allSettled([
      redis.set("p:auto", "v"),
      redis.evalsha(UNKNOWN_SHA, [], []),
      redis.get("p:auto"),
    ]);
    expect(set).toEqual({ status: "fulfilled", value: "OK" });
    expect(bad?.status === "rejected" && String(bad.reason)).toMatch(/NOSCRIPT/);
    expect(get).toEqual({ status: "fulfilled", value: "v" });
  });
});

describe("multi-exec", () => {
  it("runs 50 transactions from 50 separate clients at once, each atomically", async () => {
    // SRH #25: concurrent MULTIs sharing a connection fail with "MULTI calls can not be nested".
    const clients = Array.from({ length: 50 }, () => stack.client());
    const results = await Promise.all(
      clients.map((client, i) =>
        client.multi().incr("m:counter").incr("m:counter").set(`m:owner:${i}`, i).exec(),
      ),
    );
    for (const [first, second, set] of results as [number, number, string][]) {
      // Nothing else ran between a transaction's two INCRs.
      expect(second).toBe(first + 1);
      expect(set).toBe("OK");
    }
    expect(await redis.get("m:counter")).toBe(100);
  });

  realOnly(
    stack,
    SUITE,
    "reports a runtime error as that command's error and still applies the rest",
    async () => {
      await redis.set("m:text", "abc");
      const items = await redis.multi().set("m:a", "1").incr("m:text").get("m:a").exec({ keepErrors: true });
      expect(items.map((item) => item.error ?? item.result)).toEqual([
        "OK",
        "ERR value is not an integer or out of range",
        1,
      ]);
    },
  );

  realOnly(stack, SUITE, "rejects the whole transaction with the first queue-time error", async () => {
    // The client cannot send a malformed command, so the body is raw.
    const answer = await stack.post("/multi-exec", [
      ["set", "m:never", "1"],
      ["set", "m:only-key"],
      ["nosuchcommand"],
    ]);
    expect(answer.status).toBe(400);
    expect(answer.json).toEqual({ error: "ERR wrong number of arguments for 'set' command" });
    expect(await redis.exists("m:never")).toBe(0);
  });

  it("refuses nested transaction commands and leaves the transaction connections usable", async () => {
    const answer = await stack.post("/multi-exec", [["multi"], ["set", "m:nested", "1"]]);
    expect(answer.status).toBe(400);
    expect(answer.json).toEqual({ error: expect.stringMatching(/'multi' is not supported over REST/) });
    expect(await redis.multi().set("m:after", "1").get("m:after").exec()).toEqual(["OK", 1]);
  });
});

describe("scripts", () => {
  it("passes NOSCRIPT through unchanged for an unknown sha", async () => {
    // @upstash/ratelimit looks for exactly this (case-sensitive) before it loads the script.
    const single = stack.client({ enableAutoPipelining: false });
    expect((await failure(single.evalsha(UNKNOWN_SHA, [], []))).message).toMatch(
      /^NOSCRIPT No matching script\. Please use EVAL\., command was: /,
    );
    expect((await failure(redis.evalsha(UNKNOWN_SHA, [], []))).message).toMatch(
      /NOSCRIPT No matching script/,
    );
  });

  it("runs EVAL with keys and arguments", async () => {
    await redis.set("s:key", "stored");
    expect(
      await redis.eval("return {KEYS[1], ARGV[1], redis.call('get', KEYS[1])}", ["s:key"], ["arg"]),
    ).toEqual(["s:key", "arg", "stored"]);
  });

  it("lets a client Script fall back from EVALSHA to EVAL on NOSCRIPT", async () => {
    const script = redis.createScript<string>("return ARGV[1] .. '!'");
    expect(await script.exec([], ["hey"])).toBe("hey!");
  });

  realOnly(stack, SUITE, "loads a script with SCRIPT LOAD, then runs it by sha", async () => {
    const body = "return tonumber(ARGV[1]) * 2";
    const sha = await redis.scriptLoad(body);
    expect(sha).toMatch(/^[0-9a-f]{40}$/);
    expect(await redis.scriptExists(sha)).toEqual([1]);
    expect(await redis.evalsha(sha, [], [21])).toBe(42);
  });
});
