/**
 * redis-server dies mid-test (SIGKILL, as in a crash) and comes back on the same port: meanwhile every
 * endpoint answers 503 at once, and afterwards the same emulator serves again without being restarted.
 */
import { createServer } from "node:net";
import { expect, it } from "vitest";
import { startRedis } from "../../emulators/backends/redis.ts";
import { startUpstashEmulator } from "../../emulators/upstash/server.ts";
import { eventually, failure, realOnly, startStack, TOKEN } from "./upstash-harness.ts";

const SUITE = "upstash recovery after Redis dies";
const stack = await startStack(SUITE);
// The requests below must fail on their own; a backoff would only hide how fast they fail.
const redis = stack.client();
const FAST_MS = 1000;

async function kill(): Promise<void> {
  if (!stack.backend.kill) throw new Error("this test needs a redis-server it can kill");
  await stack.backend.kill();
}

async function restart(): Promise<void> {
  if (!stack.backend.restart) throw new Error("this test needs a redis-server it can restart");
  await stack.backend.restart();
}

/** How long `run` takes, in milliseconds. */
async function timed(run: () => Promise<unknown>): Promise<number> {
  const started = performance.now();
  await run();
  return performance.now() - started;
}

realOnly(stack, SUITE, "answers 503 quickly while Redis is down, then recovers when it is back", async () => {
  expect(await redis.set("recovery:before", "1")).toBe("OK");
  await kill();

  const single = await failure(stack.client({ enableAutoPipelining: false }).get("recovery:before"));
  expect(single.message).toMatch(/^ERR Redis is unreachable/);
  for (const [path, body] of [
    ["/", ["get", "k"]],
    ["/pipeline", [["get", "k"]]],
    ["/multi-exec", [["incr", "k"]]],
  ] as const) {
    let status = 0;
    const ms = await timed(async () => {
      status = (await stack.post(path, body)).status;
    });
    expect({ path, status }).toEqual({ path, status: 503 });
    expect(ms).toBeLessThan(FAST_MS);
  }
  expect((await stack.request("/")).status).toBe(503);

  await restart();
  // The emulator reconnects in the background; poll until it has (a throwaway server comes back empty).
  await eventually(() => redis.set("recovery:after", "2"), 10_000);
  expect(await redis.get("recovery:after")).toBe(2);
  expect(await redis.multi().incr("recovery:n").incr("recovery:n").exec()).toEqual([1, 2]);
  expect((await stack.request("/")).json).toEqual({ status: "ok" });
});

realOnly(
  stack,
  SUITE,
  "keeps failing fast across repeated outages and keeps transactions working",
  async () => {
    for (let round = 1; round <= 3; round++) {
      await kill();
      const ms = await timed(() => failure(redis.multi().set("recovery:round", round).exec()));
      expect(ms).toBeLessThan(FAST_MS);
      await restart();
      // Transactions open fresh connections; the shared one behind `/` comes back on its own schedule.
      await eventually(() => redis.multi().set("recovery:round", round).exec(), 10_000);
      expect(await eventually(() => redis.get("recovery:round"), 10_000)).toBe(round);
    }
  },
);

realOnly(stack, SUITE, "starts while Redis is down, answers 503, and serves once Redis is up", async () => {
  await kill();
  const late = await startUpstashEmulator({ backend: stack.backend, token: TOKEN, port: 0 });
  try {
    const client = stack.client({ url: late.url });
    expect((await failure(client.ping())).message).toMatch(/Redis is unreachable/);
    await restart();
    expect(await eventually(() => client.ping(), 10_000)).toBe("PONG");
  } finally {
    await late.close();
  }
});

it("answers 503 within a second on every endpoint when Redis cannot be reached at all", async () => {
  // An external REDIS_URL pointing at a closed port: runs without redis-server too.
  const backend = await startRedis({ url: `redis://127.0.0.1:${await closedPort()}` });
  const unreachable = await startUpstashEmulator({ backend, token: TOKEN, port: 0 });
  try {
    const client = stack.client({ url: unreachable.url });
    const ms = await timed(async () => {
      expect((await failure(client.set("k", "v"))).message).toMatch(/Redis is unreachable/);
      expect((await failure(client.multi().incr("n").exec())).message).toMatch(/Redis is unreachable/);
      expect((await failure(client.pipeline().get("k").exec())).message).toMatch(/Redis is unreachable/);
    });
    expect(ms).toBeLessThan(FAST_MS);
  } finally {
    await unreachable.close();
    await backend.stop();
  }
});

/** A loopback port that nothing listens on (it was free a moment ago). */
async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((listening) => server.listen(0, "127.0.0.1", listening));
  const address = server.address();
  await new Promise<void>((closed) => server.close(() => closed()));
  if (address === null || typeof address === "string") throw new Error("no port");
  return address.port;
}
