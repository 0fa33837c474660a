/**
 * An Upstash-compatible Redis REST endpoint (the protocol `@upstash/redis` speaks) in front of a real Redis, as a
 * Hono app: `POST /`, `/pipeline`, `/multi-exec`, and `subscribe`/`psubscribe` as server-sent events.
 * See README.md next to this file.
 */
import { type Context, Hono, type MiddlewareHandler } from "hono";
import { methodNotAllowed } from "hono/method-not-allowed";
import type { RedisBackend, RedisConnection } from "../backends/redis.ts";
import { capBody as limitBody } from "../http/body-limit.ts";
import { sameSecret } from "../http/credentials.ts";
import { EndpointError, tooLarge } from "../http/errors.ts";
import { listen } from "../http/serve.ts";
import { parseBody, toCommand, toCommands } from "./commands.ts";
import { wantsBase64 } from "./encode.ts";
import { runCommand, runPipeline } from "./execute.ts";
import { type ConnectionPool, createPool, waitReady } from "./pool.ts";
import { createSubscriptions, type Subscriptions } from "./subscribe.ts";
import { runTransaction } from "./transaction.ts";

/**
 * The running emulator.
 * @example
 * const { url, close } = await startUpstashEmulator({ backend, token });
 */
export interface UpstashEmulator {
  url: string;
  port: number;
  close(): Promise<void>;
}

/** Upstash's request limit on the Free and Pay-as-you-go plans. */
export const DEFAULT_MAX_BODY_BYTES = 1024 * 1024;
// Long enough for a local Redis to accept a connection, short enough that an outage is a fast 503.
const CONNECT_TIMEOUT_MS = 1000;
const TRANSACTION_CONNECTIONS = 16;
const ENDPOINTS = "POST /, /pipeline, /multi-exec, /subscribe/<channel>, /psubscribe/<pattern>";

/**
 * Starts an HTTP server that speaks the Upstash Redis REST protocol in front of `backend`, on 127.0.0.1 unless
 * `host` says otherwise.
 * @example
 * const backend = await startRedis();
 * const emulator = await startUpstashEmulator({ backend, token: "dev-token", port: 0 });
 * const redis = new Redis({ url: emulator.url, token: "dev-token" }); // from @upstash/redis
 * await emulator.close();
 */
export async function startUpstashEmulator(options: {
  backend: RedisBackend;
  token: string;
  port?: number;
  host?: string;
  /** The largest request body accepted (413 above it); default 1 MiB, as on Upstash. */
  maxBodyBytes?: number;
  log?: (line: string) => void;
}): Promise<UpstashEmulator> {
  if (!options.token) throw new Error("startUpstashEmulator needs a non-empty token");
  const log = options.log ?? (() => {});
  const shared = connectShared(options.backend, log);
  const pool = createPool(() => options.backend.connect(), {
    max: TRANSACTION_CONNECTIONS,
    readyTimeoutMs: CONNECT_TIMEOUT_MS,
  });
  const subscriptions = createSubscriptions(options.backend, CONNECT_TIMEOUT_MS);
  // Starting is not failing: with Redis down the emulator answers 503 and recovers when Redis comes up.
  await waitReady(shared, CONNECT_TIMEOUT_MS).catch((error: Error) =>
    log(`upstash emulator: Redis not reachable yet (${error.message}); answering 503 until it is`),
  );
  const app = upstashApp({
    token: options.token,
    shared,
    pool,
    subscriptions,
    maxBodyBytes: options.maxBodyBytes ?? DEFAULT_MAX_BODY_BYTES,
    log,
  });
  const release = () => {
    subscriptions.close();
    pool.close();
    shared.disconnect();
  };
  const endpoint = await listen(app, {
    port: options.port ?? 8079,
    host: options.host,
    name: "Upstash endpoint",
    badRequestBody: JSON.stringify({ error: "ERR malformed HTTP request" }),
  }).catch((error: unknown) => {
    // e.g. EADDRINUSE: leave no reconnecting connection behind to keep the process alive.
    release();
    throw error;
  });
  log(`upstash emulator listening on ${endpoint.origin} (backend: ${options.backend.describe})`);
  return {
    url: endpoint.origin,
    port: endpoint.port,
    async close() {
      // Subscribers first: their streams would otherwise hold the server open.
      subscriptions.close();
      await endpoint.close();
      release();
    },
  };
}

/** The connection behind `/` and `/pipeline`; it reconnects by itself, and says so in the log. */
function connectShared(backend: RedisBackend, log: (line: string) => void): RedisConnection {
  const conn = backend.connect();
  let healthy = true;
  conn.on("error", (error) => {
    if (healthy)
      log(`upstash emulator: lost Redis (${error instanceof Error ? error.message : String(error)})`);
    healthy = false;
  });
  conn.on("ready", () => {
    if (!healthy) log("upstash emulator: Redis is back");
    healthy = true;
  });
  return conn;
}

interface AppDeps {
  token: string;
  shared: RedisConnection;
  pool: ConnectionPool;
  subscriptions: Subscriptions;
  maxBodyBytes: number;
  log: (line: string) => void;
}

/**
 * The routes. Every failure is an EndpointError rendered as Upstash does, `{"error": "…"}`, with a fresh
 * `upstash-sync-token` like every other answer.
 */
function upstashApp(deps: AppDeps): Hono {
  const app = new Hono({ strict: false });
  let syncToken = 0;
  const render = (c: Context, error: EndpointError) =>
    c.json({ error: error.message }, error.status, {
      ...error.headers,
      "upstash-sync-token": String(++syncToken),
    });
  app.onError(function renderError(error, c) {
    if (error instanceof EndpointError) return render(c, error);
    deps.log(`upstash emulator: unexpected failure: ${error instanceof Error ? error.stack : String(error)}`);
    return render(c, new EndpointError(500, "internal", "ERR internal emulator error"));
  });
  // Returned, not thrown: methodNotAllowed turns a 404 for a known path into a 405, but leaves errors alone.
  app.notFound(function noSuchEndpoint(c) {
    const message = `ERR ${c.req.path} is not an endpoint of this emulator (${ENDPOINTS})`;
    return render(c, new EndpointError(404, "not_found", message));
  });
  app.use(
    methodNotAllowed({
      app,
      onMethodNotAllowed(c, methods) {
        const message = `ERR method ${c.req.method} is not allowed on ${c.req.path}`;
        return render(
          c,
          new EndpointError(405, "method_not_allowed", message, { allow: methods.join(", ") }),
        );
      },
    }),
  );
  const requireToken: MiddlewareHandler = async function requireToken(c, next) {
    const bearer = /^Bearer\s+(.+)$/i.exec(c.req.header("authorization")?.trim() ?? "")?.[1];
    const offered = c.req.query("_token") ?? bearer;
    if (offered === undefined || !sameSecret(offered, deps.token)) {
      throw new EndpointError(401, "unauthenticated", "WRONGPASS invalid or missing auth token");
    }
    await next();
  };
  const capBody = limitBody(deps.maxBodyBytes, () =>
    tooLarge(deps.maxBodyBytes, "too_large", "ERR max request size exceeded: the request body is"),
  );
  const reply = (c: Context, body: unknown) =>
    c.json(body, 200, { "upstash-sync-token": String(++syncToken) });
  const base64 = (c: Context) => wantsBase64(c.req.header("upstash-encoding"));

  app.get("/", async function health(c) {
    try {
      await runCommand(deps.shared, { name: "PING", args: [] }, false);
      return reply(c, { status: "ok" });
    } catch (error) {
      const message = error instanceof Error ? error.message : String(error);
      return c.json({ status: "unavailable", error: message }, 503);
    }
  });
  app.on(["POST", "PUT"], "/", requireToken, capBody, async function command(c) {
    const body = parseBody(await c.req.text());
    return reply(c, { result: await runCommand(deps.shared, toCommand(body), base64(c)) });
  });
  app.on(["POST", "PUT"], "/pipeline", requireToken, capBody, async function pipeline(c) {
    const commands = toCommands(parseBody(await c.req.text()));
    return reply(c, await runPipeline(deps.shared, commands, base64(c)));
  });
  app.on(["POST", "PUT"], "/multi-exec", requireToken, capBody, async function transaction(c) {
    const commands = toCommands(parseBody(await c.req.text()));
    return reply(c, await runTransaction(deps.pool, commands, base64(c)));
  });
  app.post("/subscribe/:channel{.+}", requireToken, capBody, async function subscribe(c) {
    return deps.subscriptions.stream(c, "subscribe", c.req.param("channel"), await c.req.text());
  });
  app.post("/psubscribe/:pattern{.+}", requireToken, capBody, async function psubscribe(c) {
    return deps.subscriptions.stream(c, "psubscribe", c.req.param("pattern"), await c.req.text());
  });
  return app;
}
