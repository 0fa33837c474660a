/**
 * A PlanetScale-compatible HTTP endpoint (the API `@planetscale/database` speaks) in front of a real MySQL or
 * MariaDB: routing, auth, body limits and error answers. See README.md next to this file.
 */
import { once } from "node:events";
import http, { type IncomingMessage, type ServerResponse } from "node:http";
import type { Socket } from "node:net";
import { parseMysqlUrl } from "./backend.ts";
import { BackendUnavailableError } from "./errors.ts";
import { isAuthorized, isJsonObject, readJsonBody, sendError, sendJson } from "./http.ts";
import { createLinkPool } from "./pool.ts";
import { createRpc, type Rpc } from "./rpc.ts";
import { createSessionRegistry, createSessionSigner } from "./sessions.ts";

/**
 * @example { mysqlUrl: "mysql://root@127.0.0.1:3306/app", username: "root", password: "secret", port: 0 }
 */
export interface PlanetScaleEmulatorOptions {
  /** mysql://user:pass@host:port/db of the server that runs the SQL. */
  mysqlUrl: string;
  /** Credentials clients must send (Basic auth, as the driver does from its URL). */
  username: string;
  password: string;
  /** Default 3900; 0 picks a free port. */
  port?: number;
  /** Default 127.0.0.1. */
  host?: string;
  /** How long a session holding a transaction or session state may stay idle; default 20 s. */
  idleTimeoutMs?: number;
  log?: (line: string) => void;
}

/** @example const { url, close } = await startPlanetScaleEmulator(options); */
export interface PlanetScaleEmulator {
  /** http://user:pass@127.0.0.1:port, ready for `connect({ url })`. */
  url: string;
  port: number;
  close(): Promise<void>;
}

const DEFAULT_PORT = 3900;
/** PlanetScale's transaction timeout is 20 s; here it counts from the session's last statement. */
const DEFAULT_IDLE_TIMEOUT_MS = 20_000;
const MAX_BODY_BYTES = 1024 * 1024;
const RPC_PREFIX = "/psdb.v1alpha1.Database/";

interface Handler {
  rpc: Rpc;
  username: string;
  password: string;
}

/**
 * Starts the emulator. It opens MySQL connections lazily, so it starts even while MySQL is down (and answers 503).
 * @example
 * const emulator = await startPlanetScaleEmulator({ mysqlUrl: db.url, username: "root", password: "secret", port: 0 });
 * const conn = connect({ url: emulator.url }); // from @planetscale/database
 * await conn.execute("SELECT 1");
 * await emulator.close();
 */
export async function startPlanetScaleEmulator(
  options: PlanetScaleEmulatorOptions,
): Promise<PlanetScaleEmulator> {
  const log = options.log ?? (() => {});
  const pool = createLinkPool(parseMysqlUrl(options.mysqlUrl));
  const signer = createSessionSigner(pool.target.database);
  const idleTimeoutMs = options.idleTimeoutMs ?? DEFAULT_IDLE_TIMEOUT_MS;
  const sessions = createSessionRegistry({ pool, idleTimeoutMs, log });
  const database = pool.target.database;
  const rpc = createRpc({ pool, sessions, signer, database, username: options.username });
  const handler: Handler = { rpc, username: options.username, password: options.password };
  const server = http.createServer((req, res) => {
    handle(req, res, handler).catch((error: unknown) => {
      log(`planetscale: internal error: ${error instanceof Error ? error.stack : String(error)}`);
      if (res.headersSent) res.destroy();
      else sendError(res, 500, "internal", "the emulator failed to handle this request; see its log");
    });
  });
  server.on("clientError", (_error: Error, socket: Socket) => {
    const body = JSON.stringify({ error: { code: "invalid_argument", message: "malformed HTTP request" } });
    const head = "HTTP/1.1 400 Bad Request\r\ncontent-type: application/json\r\nconnection: close";
    if (socket.writable) socket.end(`${head}\r\n\r\n${body}`);
  });
  const host = options.host ?? "127.0.0.1";
  server.listen(options.port ?? DEFAULT_PORT, host);
  await once(server, "listening").catch((error: unknown) => {
    sessions.close();
    throw new Error(
      `PlanetScale emulator cannot listen on ${host}:${options.port ?? DEFAULT_PORT}: ${String(error)}`,
    );
  });
  const address = server.address();
  const port = typeof address === "object" && address ? address.port : 0;
  const credentials = `${encodeURIComponent(options.username)}:${encodeURIComponent(options.password)}`;
  log(
    `planetscale: emulator on http://${host}:${port} → MySQL ${pool.target.host}:${pool.target.port}/${database}`,
  );
  return {
    url: `http://${credentials}@${host.includes(":") ? `[${host}]` : host}:${port}`,
    port,
    async close() {
      const closed = new Promise((resolve) => server.close(resolve));
      server.closeAllConnections();
      sessions.close();
      pool.close();
      await closed;
    },
  };
}

async function handle(req: IncomingMessage, res: ServerResponse, handler: Handler): Promise<void> {
  const path = (req.url ?? "/").split("?")[0] ?? "/";
  const method = path.startsWith(RPC_PREFIX) ? path.slice(RPC_PREFIX.length) : "";
  if (method !== "Execute" && method !== "CreateSession") {
    const served = `${RPC_PREFIX}Execute and ${RPC_PREFIX}CreateSession`;
    return sendError(res, 404, "not_found", `no RPC at ${path}; this emulator serves POST ${served}`);
  }
  if (req.method !== "POST") {
    return sendError(res, 405, "method_not_allowed", `${path} accepts POST only`, { allow: "POST" });
  }
  if (!isAuthorized(req.headers.authorization, handler.username, handler.password)) {
    return sendError(res, 401, "unauthenticated", "invalid auth credentials", {
      "www-authenticate": 'Basic realm="planetscale-emulator"',
    });
  }
  const body = await readJsonBody(req, MAX_BODY_BYTES);
  if (!body.ok) {
    // An oversized body is not read to its end, so the connection closes after the answer instead of being reused.
    const headers = body.status === 413 ? { connection: "close" } : {};
    return sendError(res, body.status, body.code, body.message, headers);
  }
  if (!isJsonObject(body.value)) {
    return sendError(res, 400, "invalid_argument", "request body must be a JSON object");
  }
  if (method === "CreateSession") return sendJson(res, 200, handler.rpc.createSession());
  const query = body.value.query ?? "";
  if (typeof query !== "string") return sendError(res, 400, "invalid_argument", '"query" must be a string');
  try {
    sendJson(res, 200, await handler.rpc.execute(query, body.value.session));
  } catch (error) {
    if (!(error instanceof BackendUnavailableError)) throw error;
    sendError(res, 503, "unavailable", error.message, { "retry-after": "1" });
  }
}
