/**
 * Pub/sub over server-sent events, as `@upstash/redis` uses it: `redis.subscribe()` / `redis.psubscribe()` hold
 * one streaming request per channel or pattern, and PUBLISH through `/` or `/pipeline` reaches them, in order.
 * Unsubscribing (the client aborts its request) must free the Redis subscription and its connection.
 */
import { Redis as IoRedis } from "ioredis";
import { describe, expect, it } from "vitest";
import { embeddedBackend } from "../../emulators/backends/redis-embedded.ts";
import { startUpstashEmulator } from "../../emulators/upstash/server.ts";
import { eventually, realOnly, startStack, TOKEN } from "./upstash-harness.ts";

const SUITE = "upstash pub/sub";
const stack = await startStack(SUITE);

/** Reads the first SSE bytes of a raw subscribe request, then lets go of it. */
async function firstEvent(
  path: string,
  init: RequestInit = {},
): Promise<{ status: number; type: string; first: string }> {
  const controller = new AbortController();
  const response = await fetch(stack.emulator.url + path, {
    method: "POST",
    body: "[]",
    signal: controller.signal,
    ...init,
    headers: { authorization: `Bearer ${TOKEN}`, accept: "text/event-stream", ...init.headers },
  });
  const type = response.headers.get("content-type") ?? "";
  if (!type.startsWith("text/event-stream"))
    return { status: response.status, type, first: await response.text() };
  const reader = response.body!.getReader();
  const { value } = await reader.read();
  controller.abort();
  return { status: response.status, type, first: new TextDecoder().decode(value) };
}

describe("pub/sub over server-sent events", () => {
  realOnly(stack, SUITE, "streams subscribe confirmations in Upstash's format", async () => {
    expect(await firstEvent("/subscribe/format:news")).toEqual({
      status: 200,
      type: "text/event-stream",
      first: "data: subscribe,format:news,1\n\n",
    });
    expect((await firstEvent("/psubscribe/format:*")).first).toBe("data: psubscribe,format:*,1\n\n");
  });

  realOnly(stack, SUITE, "delivers 50 subscribers' messages in order, then leaves nothing open", async () => {
    const direct = new IoRedis(stack.backend.url!, { maxRetriesPerRequest: 0 });
    try {
      const clientsBefore = await clientCount(direct);
      const publisher = stack.client();
      const channels = Array.from({ length: 5 }, (_, i) => `room:${i}`);
      // 40 channel subscribers (8 per channel) and 10 pattern subscribers on room:*. Messages are objects: the
      // client JSON-parses pmessage payloads with no fallback to text, against Upstash too.
      const received: string[][] = Array.from({ length: 50 }, () => []);
      const subscribers = received.map((inbox, i) => {
        const pattern = i >= 40;
        const subscriber = pattern
          ? stack.client().psubscribe<{ m: string }>(["room:*"])
          : stack.client().subscribe<{ m: string }>([channels[i % 5]!]);
        subscriber.on(pattern ? "pmessage" : "message", (event) =>
          inbox.push(`${event.channel}:${event.message.m}`),
        );
        return subscriber;
      });
      await eventually(async () => {
        const counts = (await direct.call("PUBSUB", "NUMSUB", ...channels)) as (string | number)[];
        const patternClients = (await clientList(direct)).filter((line) => / psub=1 /.test(line)).length;
        expect([counts.filter((_, i) => i % 2 === 1).map(Number), patternClients]).toEqual([
          [8, 8, 8, 8, 8],
          10,
        ]);
      }, 10_000);

      // Through POST / and through /pipeline (auto-pipelining batches the second half).
      for (let n = 0; n < 10; n++) await publisher.publish(channels[n % 5]!, { m: `m${n}` });
      await Promise.all(
        Array.from({ length: 10 }, (_, k) => publisher.publish(channels[k % 5]!, { m: `m${10 + k}` })),
      );
      await stack.post("/pipeline", [["publish", "room:0", '{"m":"last"}']]);

      const expected = (i: number) => {
        const mine = (n: number) => i >= 40 || n % 5 === i % 5;
        const published = Array.from({ length: 20 }, (_, n) => n).filter(mine);
        const lines = published.map((n) => `room:${n % 5}:m${n}`);
        return i >= 40 || i % 5 === 0 ? [...lines, "room:0:last"] : lines;
      };
      await eventually(async () => expect(received).toEqual(received.map((_, i) => expected(i))), 10_000);

      for (const subscriber of subscribers) await subscriber.unsubscribe();
      await eventually(async () => {
        const counts = (await direct.call("PUBSUB", "NUMSUB", ...channels)) as (string | number)[];
        expect(counts.filter((_, i) => i % 2 === 1).map(Number)).toEqual([0, 0, 0, 0, 0]);
        expect(Number(await direct.call("PUBSUB", "NUMPAT"))).toBe(0);
        expect(await clientCount(direct)).toBe(clientsBefore);
      }, 10_000);
    } finally {
      direct.disconnect();
    }
  });

  realOnly(
    stack,
    SUITE,
    "frees the Redis subscription when the client goes away without unsubscribing",
    async () => {
      const direct = new IoRedis(stack.backend.url!, { maxRetriesPerRequest: 0 });
      try {
        await firstEvent("/subscribe/gone:away");
        await eventually(async () => {
          expect(await direct.call("PUBSUB", "NUMSUB", "gone:away")).toEqual(["gone:away", 0]);
        }, 10_000);
      } finally {
        direct.disconnect();
      }
    },
  );

  it("refuses a bad token with 401 and no stream", async () => {
    const answer = await firstEvent("/subscribe/news", { headers: { authorization: "Bearer wrong" } });
    expect(answer).toMatchObject({ status: 401, type: "application/json" });
    expect(JSON.parse(answer.first)).toEqual({ error: "WRONGPASS invalid or missing auth token" });
  });

  it("answers a malformed subscribe request with 400 and no stream", async () => {
    for (const body of ["{not json", '["subscribe","x"]', '{"a":1}']) {
      const answer = await firstEvent("/subscribe/news", { body });
      expect(answer).toMatchObject({ status: 400, type: "application/json" });
    }
    const comma = await firstEvent("/subscribe/a,b");
    expect(comma).toMatchObject({ status: 400, type: "application/json" });
    expect(JSON.parse(comma.first).error).toContain("comma");
  });

  it("says clearly that the embedded fallback has no pub/sub: 501, and no stream", async () => {
    const backend = embeddedBackend();
    const emulator = await startUpstashEmulator({ backend, token: TOKEN, port: 0 });
    try {
      const response = await fetch(`${emulator.url}/subscribe/news`, {
        method: "POST",
        body: "[]",
        headers: { authorization: `Bearer ${TOKEN}` },
      });
      expect(response.status).toBe(501);
      expect(((await response.json()) as { error: string }).error).toContain("ioredis-mock");
    } finally {
      await emulator.close();
      await backend.stop();
    }
  });
});

/** One line per connection Redis has open. */
async function clientList(direct: IoRedis): Promise<string[]> {
  return String(await direct.call("CLIENT", "LIST"))
    .trim()
    .split("\n");
}

async function clientCount(direct: IoRedis): Promise<number> {
  return (await clientList(direct)).length;
}
