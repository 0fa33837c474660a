/**
 * Shared set-up for the Upstash emulator suites: a backend from startRedis (a real redis-server when one is
 * on PATH, required under CI), the emulator in front of it, and the real @upstash/redis client.
 */
import { Redis, type RedisConfigNodejs } from "@upstash/redis";
import { afterAll, it } from "vitest";
import { type RedisBackend, startRedis } from "../../emulators/backends/redis.ts";
import { startUpstashEmulator, type UpstashEmulator } from "../../emulators/upstash/server.ts";

/** The emulator's token in every suite, e.g. `stack.client({ token: TOKEN })`. */
export const TOKEN = "upstash-test-token";
/** Upstash's request limit, e.g. `"v".repeat(MAX_BODY + 1)` is refused. */
export const MAX_BODY = 1024 * 1024;

/**
 * A raw HTTP answer, for what the client hides (status codes, headers, exact bodies).
 * @example
 * const { status, json } = await stack.post("/", ["ping"]); // 200, { result: "PONG" }
 */
export interface RawAnswer {
  status: number;
  headers: Headers;
  text: string;
  json: unknown;
}

/**
 * One suite's backend, emulator and ways to talk to it.
 * @example
 * const stack = await startStack("my suite");
 * await stack.client().set("k", "v");
 */
export interface Stack {
  backend: RedisBackend;
  emulator: UpstashEmulator;
  /** Whether a real Redis answers (false on the embedded ioredis-mock fallback). */
  real: boolean;
  /** The real client, failing fast: no retries, no telemetry headers. */
  client(config?: Partial<RedisConfigNodejs>): Redis;
  /** POSTs `body` (a string is sent as is) to the emulator with the token, unless headers say otherwise. */
  post(path: string, body: unknown, headers?: Record<string, string>): Promise<RawAnswer>;
  /** Any request, for methods, paths and bodies the client never sends. */
  request(path: string, init?: RequestInit): Promise<RawAnswer>;
}

/**
 * Starts a backend and the emulator for one test file and stops them after it. Tests that need real Redis
 * behaviour go through `realOnly`: on the fallback they are listed loudly instead of silently passing.
 * @example
 * const stack = await startStack("upstash data");
 * it("stores strings", async () => expect(await stack.client().set("k", "v")).toBe("OK"));
 */
export async function startStack(suite: string): Promise<Stack> {
  const backend = await startRedis({ requireReal: process.env.CI === "true" });
  const emulator = await startUpstashEmulator({ backend, token: TOKEN, port: 0 });
  afterAll(async () => {
    await emulator.close();
    await backend.stop();
  });
  const real = backend.kind !== "embedded";
  if (!real) announceFallback(suite, backend.describe);
  const request = async (path: string, init?: RequestInit): Promise<RawAnswer> => {
    const response = await fetch(emulator.url + path, init);
    const text = await response.text();
    return { status: response.status, headers: response.headers, text, json: parseOrText(text) };
  };
  return {
    backend,
    emulator,
    real,
    client: (config = {}) =>
      new Redis({ url: emulator.url, token: TOKEN, retry: false, enableTelemetry: false, ...config }),
    post: (path, body, headers = {}) =>
      request(path, {
        method: "POST",
        body: typeof body === "string" ? body : JSON.stringify(body),
        headers: { authorization: `Bearer ${TOKEN}`, "content-type": "application/json", ...headers },
      }),
    request,
  };
}

const notRun = new Map<string, string[]>();

function announceFallback(suite: string, describe: string): void {
  notRun.set(suite, []);
  afterAll(() => {
    const names = notRun.get(suite) ?? [];
    console.warn(
      [
        "",
        "!".repeat(100),
        `!!! ${suite}: ran on ${describe}`,
        "!!! These tests need a real Redis and did NOT run (install redis-server; CI=true makes this an error):",
        ...names.map((name) => `!!!   - ${name}`),
        "!".repeat(100),
        "",
      ].join("\n"),
    );
  });
}

/**
 * Registers a test that needs real Redis semantics (scripts, error checks, killing the server). On the
 * embedded fallback it is not registered but named in the loud end-of-suite notice.
 * @example
 * realOnly(stack, "upstash data", "keeps binary values byte for byte", async () => { ... });
 */
export function realOnly(stack: Stack, suite: string, name: string, test: () => Promise<void>): void {
  if (stack.real) it(name, test);
  else notRun.get(suite)?.push(name);
}

/**
 * Retries `attempt` until it succeeds or `timeoutMs` passes, for conditions that become true on their own
 * (a reconnect), never as a stand-in for awaiting something that can be awaited.
 * @example
 * await eventually(() => redis.ping(), 10_000);
 */
export async function eventually<T>(attempt: () => Promise<T>, timeoutMs: number): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      return await attempt();
    } catch (error) {
      if (Date.now() > deadline) throw error;
      await new Promise((retry) => setTimeout(retry, 25));
    }
  }
}

/**
 * The error a promise rejects with; fails when it resolves.
 * @example
 * expect((await failure(redis.get("k"))).message).toMatch(/WRONGPASS/);
 */
export async function failure(promise: Promise<unknown>): Promise<Error> {
  const outcome = await promise.then(
    (value) => ({ value }),
    (error: unknown) => ({ error }),
  );
  if (!("error" in outcome)) throw new Error(`expected a failure, got ${JSON.stringify(outcome.value)}`);
  return outcome.error instanceof Error ? outcome.error : new Error(String(outcome.error));
}

function parseOrText(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return text;
  }
}
