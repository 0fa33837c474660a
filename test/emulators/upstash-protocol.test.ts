/**
 * Everything around the commands: auth, routes and methods, refused commands, malformed and oversized
 * bodies, headers. Mostly raw HTTP, since the client never sends most of these requests.
 */
import { request as httpRequest } from "node:http";
import { describe, expect, it } from "vitest";
import { failure, MAX_BODY, realOnly, startStack, TOKEN } from "./upstash-harness.ts";

const SUITE = "upstash protocol";
const stack = await startStack(SUITE);
const UNAUTHORIZED = { error: "WRONGPASS invalid or missing auth token" };
/** Upstash's own words first, so clients matching them still do; then the cap. */
const TOO_LARGE = {
  error: "ERR max request size exceeded: the request body is larger than the cap of 1048576 bytes (1 MiB)",
};

describe("auth", () => {
  it("rejects a client with the wrong token with 401 and Upstash's message", async () => {
    const wrong = stack.client({ token: "not-the-token" });
    expect((await failure(wrong.get("k"))).message).toMatch(/^WRONGPASS invalid or missing auth token/);
  });

  it("answers 401 to a missing header, a wrong scheme and tokens of other lengths", async () => {
    const bodies = [
      {},
      { authorization: TOKEN },
      { authorization: `Basic ${TOKEN}` },
      { authorization: `Bearer ${TOKEN}x` },
      { authorization: "Bearer " },
    ];
    for (const headers of bodies) {
      const answer = await stack.request("/", { method: "POST", body: '["ping"]', headers });
      expect(answer.status).toBe(401);
      expect(answer.json).toEqual(UNAUTHORIZED);
    }
  });

  it("accepts the token as ?_token= too", async () => {
    const answer = await stack.request(`/?_token=${TOKEN}`, { method: "POST", body: '["ping"]' });
    expect(answer.json).toEqual({ result: "PONG" });
  });
});

describe("routes and methods", () => {
  it("answers GET / with a small health document, without a token", async () => {
    const answer = await stack.request("/");
    expect(answer.status).toBe(200);
    expect(answer.json).toEqual({ status: "ok" });
  });

  it("answers 404 with an error for unknown paths, including Upstash's path-style commands", async () => {
    for (const path of ["/nope", "/set/k/v", "/subscribe"]) {
      const answer = await stack.post(path, []);
      expect(answer.status).toBe(404);
      expect(answer.json).toEqual({ error: expect.stringContaining(path) });
    }
  });

  it("answers 405 with an error and an Allow header for other methods", async () => {
    const get = await stack.request("/pipeline");
    expect(get.status).toBe(405);
    expect(get.headers.get("allow")).toBe("POST, PUT");
    const del = await stack.request("/", { method: "DELETE" });
    expect(del.status).toBe(405);
    expect(del.json).toEqual({ error: "ERR method DELETE is not allowed on /" });
  });

  it("accepts a trailing slash and binds to loopback only", async () => {
    expect((await stack.post("/pipeline/", [["ping"]])).json).toEqual([{ result: "PONG" }]);
    expect(stack.emulator.url).toBe(`http://127.0.0.1:${stack.emulator.port}`);
  });

  it("sends a new upstash-sync-token and JSON content type with every answer", async () => {
    const first = await stack.post("/", ["ping"]);
    const second = await stack.post("/", ["ping"]);
    expect(first.headers.get("content-type")).toBe("application/json");
    expect(Number(second.headers.get("upstash-sync-token"))).toBeGreaterThan(
      Number(first.headers.get("upstash-sync-token")),
    );
  });
});

describe("refused commands", () => {
  const refused = [
    ["multi"],
    ["EXEC"],
    ["watch", "k"],
    ["select", "1"],
    ["blpop", "list", "0"],
    ["BZPOPMIN", "z", "0"],
    ["xread", "BLOCK", "0", "STREAMS", "s", "$"],
    ["xreadgroup", "GROUP", "g", "c", "block", "10", "STREAMS", "s", ">"],
    ["subscribe", "news"],
    ["monitor"],
    ["quit"],
    ["hello", "3"],
    ["client", "kill", "id", "1"],
    ["shutdown"],
    ["debug", "sleep", "10"],
  ];

  it.each(refused)("refuses %s on / with a clear 400", async (...command) => {
    const answer = await stack.post("/", command);
    expect(answer.status).toBe(400);
    expect(answer.json).toEqual({ error: expect.stringMatching(/is not supported over REST: /) });
  });

  it("refuses a pipeline holding a refused command before running any of it", async () => {
    const answer = await stack.post("/pipeline", [
      ["set", "r:first", "1"],
      ["subscribe", "news"],
    ]);
    expect(answer.status).toBe(400);
    expect(answer.json).toEqual({ error: expect.stringMatching(/'subscribe' .* \(command 2\)$/) });
    expect((await stack.post("/", ["exists", "r:first"])).json).toEqual({ result: 0 });
  });

  realOnly(
    stack,
    SUITE,
    "still allows read-only CLIENT calls and XREAD of a stream named block",
    async () => {
      expect((await stack.post("/", ["client", "id"])).status).toBe(200);
      expect((await stack.post("/", ["xread", "COUNT", "1", "STREAMS", "block", "0"])).json).toEqual({
        result: null,
      });
    },
  );
});

describe("malformed bodies", () => {
  const cases: [string, string, string][] = [
    ["/", "not json", "invalid JSON"],
    ["/", '{"command":"get"}', "an object"],
    ["/", '"get"', "a string"],
    ["/", "[]", "an empty command"],
    ["/", '["get",["k"]]', "a nested array argument"],
    ["/", '["set","k",{"a":1}]', "an object argument"],
    ["/pipeline", "[]", "an empty pipeline"],
    ["/pipeline", '["get","k"]', "a flat array"],
    ["/pipeline", '[["get","k"],"x"]', "a non-array command"],
    ["/multi-exec", "[[]]", "an empty command"],
    ["/", "", "an empty body"],
  ];

  it.each(cases)("answers 400 with an error to %s given %s (%s)", async (path, body) => {
    const answer = await stack.post(path, body);
    expect(answer.status).toBe(400);
    expect(answer.json).toEqual({ error: expect.stringMatching(/^ERR /) });
  });

  it("survives binary garbage and keeps serving", async () => {
    const garbage = Buffer.from(Array.from({ length: 4096 }, (_, i) => (i * 7919) % 256));
    const answer = await stack.request("/pipeline", {
      method: "POST",
      body: garbage,
      headers: { authorization: `Bearer ${TOKEN}` },
    });
    expect(answer.status).toBe(400);
    expect((await stack.post("/", ["ping"])).json).toEqual({ result: "PONG" });
  });
});

describe("body size limit", () => {
  it("accepts a body of exactly 1 MiB", async () => {
    const head = '["set","size:exact","';
    const body = `${head}${"x".repeat(MAX_BODY - head.length - 2)}"]`;
    expect(Buffer.byteLength(body)).toBe(MAX_BODY);
    expect((await stack.post("/", body)).json).toEqual({ result: "OK" });
  });

  it("answers 413 to a declared length over 1 MiB, and stays usable", async () => {
    const answer = await stack.post("/", `["set","size:over","${"x".repeat(MAX_BODY)}"]`);
    expect(answer.status).toBe(413);
    expect(answer.json).toEqual(TOO_LARGE);
    expect((await stack.post("/", ["exists", "size:over"])).json).toEqual({ result: 0 });
  });

  it("answers 413 to a chunked body as soon as it passes 1 MiB, before it ends", async () => {
    // The body never ends on its own: the answer can only come from the limit, not from buffering it all.
    const answer = await new Promise<{ status: number; body: string }>((resolve, reject) => {
      const req = httpRequest(`${stack.emulator.url}/`, {
        method: "POST",
        headers: { authorization: `Bearer ${TOKEN}`, "transfer-encoding": "chunked" },
      });
      req.on("error", reject);
      req.on("response", (res) => {
        let body = "";
        res.on("data", (chunk: Buffer) => {
          body += chunk.toString("utf8");
        });
        res.on("end", () => {
          req.destroy();
          resolve({ status: res.statusCode ?? 0, body });
        });
      });
      req.write('["set","size:chunked","');
      const chunk = "y".repeat(64 * 1024);
      for (let sent = 0; sent <= MAX_BODY; sent += chunk.length) req.write(chunk);
    });
    expect(answer.status).toBe(413);
    expect(JSON.parse(answer.body)).toEqual(TOO_LARGE);
  });
});
