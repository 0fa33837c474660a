import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import type { RedisBackend, RedisConnection } from "../backends/redis.ts";
import { parseBody, toCommand, toCommands } from "./commands.ts";
import { wantsBase64 } from "./encode.ts";
import { HttpError } from "./errors.ts";
import { runCommand, runPipeline } from "./execute.ts";
import { isAuthorized, readBody, sendJson } from "./http.ts";
import { type ConnectionPool, createPool, waitReady } from "./pool.ts";
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

type Route = "command" | "pipeline" | "transaction";
const ROUTES: Record<string, Route> = {
  "/": "command",
  "/pipeline": "pipeline",
  "/multi-exec": "transaction",
};
const COMMAND_METHODS = new Set(["POST", "PUT"]);
// Long enough for a local Redis to accept a connection, short enough that an outage is a fast 503.
const CONNECT_TIMEOUT_MS = 1000;
const TRANSACTION_CONNECTIONS = 16;

/**
 * Starts an HTTP server that speaks the Upstash Redis REST protocol (`POST /`, `/pipeline`, `/multi-exec`)
 * in front of `backend`, on 127.0.0.1 only.
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
  log?: (line: string) => void;
}): Promise<UpstashEmulator> {
  if (!options.token) throw new Error("startUpstashEmulator needs a non-empty token");
  const log = options.log ?? (() => {});
  const shared = connectShared(options.backend, log);
  const pool = createPool(() => options.backend.connect(), {
    max: TRANSACTION_CONNECTIONS,
    readyTimeoutMs: CONNECT_TIMEOUT_MS,
  });
  // Starting is not failing: with Redis down the emulator answers 503 and recovers when Redis comes up.
  await waitReady(shared, CONNECT_TIMEOUT_MS).catch((error: Error) =>
    log(`upstash emulator: Redis not reachable yet (${error.message}); answering 503 until it is`),
  );
  let syncToken = 0;
  const handler = (req: IncomingMessage, res: ServerResponse) => {
    const headers = { "upstash-sync-token": String(++syncToken) };
    handle(req, res, { token: options.token, shared, pool, headers }).catch((error: unknown) => {
      if (!(error instanceof HttpError)) log(`upstash emulator: unexpected failure: ${String(error)}`);
      const status = error instanceof HttpError ? error.status : 500;
      const message = error instanceof HttpError ? error.message : "ERR internal emulator error";
      if (!res.headersSent) sendJson(res, status, { error: message }, headers);
      else res.destroy();
    });
  };
  const server = createServer(handler);
  const host = options.host ?? "127.0.0.1";
  try {
    await new Promise<void>((done, fail) =>
      server.once("error", fail).listen(options.port ?? 8079, host, done),
    );
  } catch (error) {
    // e.g. EADDRINUSE: leave no reconnecting connection behind to keep the process alive.
    pool.close();
    shared.disconnect();
    throw error;
  }
  const { port } = server.address() as AddressInfo;
  const url = `http://${host}:${port}`;
  log(`upstash emulator listening on ${url} (backend: ${options.backend.describe})`);
  return {
    url,
    port,
    async close() {
      const closed = new Promise<void>((done) => server.close(() => done()));
      server.closeAllConnections();
      await closed;
      pool.close();
      shared.disconnect();
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

interface Context {
  token: string;
  shared: RedisConnection;
  pool: ConnectionPool;
  headers: Record<string, string>;
}

async function handle(req: IncomingMessage, res: ServerResponse, context: Context): Promise<void> {
  const url = new URL(req.url ?? "/", "http://emulator");
  const path = url.pathname.replace(/\/+$/, "") || "/";
  const route = ROUTES[path];
  const method = req.method ?? "GET";
  if (route === undefined) {
    throw new HttpError(
      404,
      `ERR ${path} is not an endpoint of this emulator (POST /, /pipeline, /multi-exec)`,
    );
  }
  if (route === "command" && (method === "GET" || method === "HEAD")) {
    return health(res, context);
  }
  if (!COMMAND_METHODS.has(method)) {
    res.setHeader("allow", route === "command" ? "GET, HEAD, POST, PUT" : "POST, PUT");
    throw new HttpError(405, `ERR method ${method} is not allowed on ${path}`);
  }
  if (!isAuthorized(req, url, context.token))
    throw new HttpError(401, "WRONGPASS invalid or missing auth token");
  const body = parseBody((await readBody(req)).toString("utf8"));
  const base64 = wantsBase64(req.headers["upstash-encoding"]);
  if (route === "command") {
    const result = await runCommand(context.shared, toCommand(body), base64);
    return sendJson(res, 200, { result }, context.headers);
  }
  const commands = toCommands(body);
  const items =
    route === "pipeline"
      ? await runPipeline(context.shared, commands, base64)
      : await runTransaction(context.pool, commands, base64);
  sendJson(res, 200, items, context.headers);
}

/** `GET /`: whether Redis answers. No token needed, and it reveals nothing but up or down. */
async function health(res: ServerResponse, context: Context): Promise<void> {
  try {
    await runCommand(context.shared, { name: "PING", args: [] }, false);
    sendJson(res, 200, { status: "ok" }, context.headers);
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    sendJson(res, 503, { status: "unavailable", error: message }, context.headers);
  }
}
