/**
 * A PlanetScale-compatible HTTP endpoint (the API `@planetscale/database` speaks) in front of a real MySQL or
 * MariaDB, as a Hono app: routing, auth, the body cap and error answers. See README.md next to this file.
 */
import { type Context, Hono, type MiddlewareHandler } from "hono";
import { methodNotAllowed } from "hono/method-not-allowed";
import { capBody as limitBody } from "../http/body-limit.ts";
import { EndpointError, tooLarge } from "../http/errors.ts";
import { listen } from "../http/serve.ts";
import { parseMysqlUrl } from "./backend.ts";
import { BackendUnavailableError } from "./errors.ts";
import { isAuthorized, parseObject } from "./http.ts";
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
  /** The largest request body accepted (413 above it); default 16 MiB. */
  maxBodyBytes?: number;
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
/**
 * PlanetScale documents no request cap; the driver sends binary values as hex (twice their size), so 16 MiB lets
 * a client write blobs of 8 MiB. Configurable with `maxBodyBytes`.
 */
export const DEFAULT_MAX_BODY_BYTES = 16 * 1024 * 1024;
const EXECUTE = "/psdb.v1alpha1.Database/Execute";
const CREATE_SESSION = "/psdb.v1alpha1.Database/CreateSession";

/**
 * Starts the endpoint. It opens MySQL connections lazily, so it starts even while MySQL is down (and answers 503).
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
  const database = pool.target.database;
  const signer = createSessionSigner(database);
  const idleTimeoutMs = options.idleTimeoutMs ?? DEFAULT_IDLE_TIMEOUT_MS;
  const sessions = createSessionRegistry({ pool, idleTimeoutMs, log });
  const rpc = createRpc({ pool, sessions, signer, database, username: options.username });
  const app = planetScaleApp({
    rpc,
    username: options.username,
    password: options.password,
    maxBodyBytes: options.maxBodyBytes ?? DEFAULT_MAX_BODY_BYTES,
    log,
  });
  const endpoint = await listen(app, {
    port: options.port ?? DEFAULT_PORT,
    host: options.host,
    name: "PlanetScale endpoint",
    badRequestBody: JSON.stringify({
      error: { code: "invalid_argument", message: "malformed HTTP request" },
    }),
  }).catch((error: unknown) => {
    sessions.close();
    pool.close();
    throw error;
  });
  const credentials = `${encodeURIComponent(options.username)}:${encodeURIComponent(options.password)}`;
  log(
    `planetscale: endpoint on ${endpoint.origin} → MySQL ${pool.target.host}:${pool.target.port}/${database}`,
  );
  return {
    url: endpoint.origin.replace("http://", `http://${credentials}@`),
    port: endpoint.port,
    async close() {
      await endpoint.close();
      sessions.close();
      pool.close();
    },
  };
}

/**
 * The routes: POST Execute and CreateSession behind Basic auth and the body cap. Every failure, from routing to
 * MySQL, is an EndpointError rendered as `{"error": {code, message}}`, which the driver turns into a DatabaseError.
 */
function planetScaleApp(deps: {
  rpc: Rpc;
  username: string;
  password: string;
  maxBodyBytes: number;
  log: (line: string) => void;
}): Hono {
  const app = new Hono();
  const render = (c: Context, error: EndpointError) =>
    c.json({ error: { code: error.code, message: error.message } }, error.status, error.headers);
  app.onError(function renderError(error, c) {
    if (error instanceof EndpointError) return render(c, error);
    if (error instanceof BackendUnavailableError) {
      return render(c, new EndpointError(503, "unavailable", error.message, { "retry-after": "1" }));
    }
    deps.log(`planetscale: internal error: ${error instanceof Error ? error.stack : String(error)}`);
    const message = "the emulator failed to handle this request; see its log";
    return render(c, new EndpointError(500, "internal", message));
  });
  // Returned, not thrown: methodNotAllowed turns a 404 for a known path into a 405, but leaves errors alone.
  app.notFound(function noSuchRpc(c) {
    const served = `${EXECUTE} and ${CREATE_SESSION}`;
    return render(
      c,
      new EndpointError(404, "not_found", `no RPC at ${c.req.path}; this emulator serves POST ${served}`),
    );
  });
  app.use(
    methodNotAllowed({
      app,
      onMethodNotAllowed(c) {
        return render(
          c,
          new EndpointError(405, "method_not_allowed", `${c.req.path} accepts POST only`, { allow: "POST" }),
        );
      },
    }),
  );
  const requireBasicAuth: MiddlewareHandler = async function requireBasicAuth(c, next) {
    if (!isAuthorized(c.req.header("authorization"), deps.username, deps.password)) {
      throw new EndpointError(401, "unauthenticated", "invalid auth credentials", {
        "www-authenticate": 'Basic realm="planetscale-emulator"',
      });
    }
    await next();
  };
  const capBody = limitBody(deps.maxBodyBytes, () =>
    tooLarge(deps.maxBodyBytes, "resource_exhausted", "request body is"),
  );
  app.post(EXECUTE, requireBasicAuth, capBody, async function execute(c) {
    const body = parseObject(await c.req.text());
    const query = body.query ?? "";
    if (typeof query !== "string")
      throw new EndpointError(400, "invalid_argument", '"query" must be a string');
    return c.json(await deps.rpc.execute(query, body.session));
  });
  app.post(CREATE_SESSION, requireBasicAuth, capBody, async function createSession(c) {
    parseObject(await c.req.text());
    return c.json(deps.rpc.createSession());
  });
  return app;
}
