import { type ChildProcess, spawn } from "node:child_process";
import { accessSync, constants, mkdirSync } from "node:fs";
import { createServer } from "node:net";
import { delimiter, join, resolve } from "node:path";
import { Redis, type RedisOptions, ReplyError } from "ioredis";
import RedisMock from "ioredis-mock";

/**
 * A command argument as RESP sends it: strings travel as UTF-8.
 * @example
 * const args: RedisArg[] = ["key", Buffer.from([0xff])];
 */
export type RedisArg = string | Buffer;

/**
 * The part of an ioredis client the emulators use. ioredis satisfies it as is; ioredis-mock, which has no
 * `callBuffer`, gets a thin adapter. Errors that Redis itself answered are `ReplyError`s (from ioredis);
 * anything else means the connection failed.
 * @example
 * const conn: RedisConnection = backend.connect();
 * const value = await conn.callBuffer("get", "key"); // Buffer | null
 */
export interface RedisConnection {
  /** "ready" when commands can be sent; ioredis also uses "connecting", "reconnecting", "end"... */
  readonly status: string;
  /**
   * Sends one command; bulk strings come back as Buffers, integers as numbers, nested errors as ReplyErrors.
   * Use upper-case names: ioredis reshapes the reply of a lower-case `hgetall` into an object.
   */
  callBuffer(command: string, ...args: RedisArg[]): Promise<unknown>;
  on(event: "ready" | "error" | "end", listener: (...args: unknown[]) => void): unknown;
  off(event: "ready" | "error" | "end", listener: (...args: unknown[]) => void): unknown;
  disconnect(): void;
}

/**
 * A Redis to talk to, with how it was obtained.
 * @example
 * const backend = await startRedis({ log: console.log });
 * console.log(backend.describe);
 * await backend.stop();
 */
export interface RedisBackend {
  kind: "external" | "redis-server" | "embedded";
  url: string | undefined;
  /** one line for startup tables */
  describe: string;
  /** new RESP connection (ioredis-compatible) */
  connect(): RedisConnection;
  stop(): Promise<void>;
  /** redis-server kind only: SIGKILLs the server (a crash, not a shutdown) and waits until it is gone. */
  kill?(): Promise<void>;
  /** redis-server kind only: starts the server again on the same port (killing it first if it runs). */
  restart?(): Promise<void>;
  /** redis-server kind only: the running server's process id (undefined while it is down), for tests that pause it. */
  pid?(): number | undefined;
}

/**
 * Connection options that turn an outage into an immediate error instead of a wait, while ioredis keeps
 * reconnecting in the background so service resumes by itself when Redis is back.
 */
const FAIL_FAST: RedisOptions = {
  enableOfflineQueue: false,
  // A command written before a disconnect must fail, not be replayed later (a replayed MULTI half would corrupt).
  autoResendUnfulfilledCommands: false,
  // Without this, a command in flight when Redis dies and comes straight back is dropped on reconnect and its
  // HTTP request never gets an answer.
  maxRetriesPerRequest: 0,
  connectTimeout: 500,
  retryStrategy: (attempt: number) => Math.min(attempt * 50, 250),
};

const START_DEADLINE_MS = 10_000;
// ioredis re-exports redis-errors' ReplyError typed as `any`; give it the shape it has.
const RedisReplyError = ReplyError as new (message: string) => Error;

/**
 * True when Redis itself answered with an error (its text belongs to the caller); false for failures of
 * the connection (the backend is unreachable).
 * @example
 * conn.callBuffer("incr", "text").catch((e) => isReplyError(e) ? badRequest(e.message) : unavailable());
 */
export function isReplyError(error: unknown): error is Error {
  return error instanceof RedisReplyError;
}

let embeddedCount = 0;

/**
 * Obtains a Redis: `options.url` (REDIS_URL) if given, else a throwaway `redis-server` from PATH on a free
 * loopback port, else (unless `requireReal`) the in-process ioredis-mock fallback.
 * @example
 * const backend = await startRedis({ url: process.env.REDIS_URL, requireReal: process.env.CI === "true" });
 */
export async function startRedis(
  options: {
    url?: string;
    requireReal?: boolean;
    port?: number;
    persist?: boolean;
    log?: (line: string) => void;
  } = {},
): Promise<RedisBackend> {
  const log = options.log ?? (() => {});
  if (options.url) return externalBackend(options.url);
  const binary = findOnPath("redis-server");
  if (binary) return serverBackend(binary, options.port ?? (await freePort()), options.persist ?? false, log);
  if (options.requireReal) {
    throw new Error(
      "redis-server not found on PATH; install it with `apt-get install redis-server` or set REDIS_URL",
    );
  }
  const backend = embeddedBackend();
  log(backend.describe);
  return backend;
}

/** Hands out fail-fast connections and disconnects the ones still open when the backend stops. */
function tracked(open: () => RedisConnection): { connect: () => RedisConnection; closeAll: () => void } {
  const live = new Set<RedisConnection>();
  return {
    connect() {
      const conn = open();
      live.add(conn);
      conn.on("end", () => live.delete(conn));
      return conn;
    },
    closeAll() {
      for (const conn of live) conn.disconnect();
      live.clear();
    },
  };
}

function externalBackend(url: string): RedisBackend {
  const connections = tracked(() => new Redis(url, FAIL_FAST));
  return {
    kind: "external",
    url,
    describe: `external Redis at ${withoutPassword(url)} (REDIS_URL)`,
    connect: connections.connect,
    stop: async () => connections.closeAll(),
  };
}

async function serverBackend(
  binary: string,
  port: number,
  persist: boolean,
  log: (line: string) => void,
): Promise<RedisBackend> {
  const args = ["--port", String(port), "--bind", "127.0.0.1"];
  if (persist) {
    const dir = resolve(".data/redis");
    mkdirSync(dir, { recursive: true });
    args.push("--dir", dir, "--appendonly", "yes");
  } else {
    args.push("--save", "", "--appendonly", "no");
  }
  let child: ChildProcess | undefined;
  // Last resort so an abandoned test run or crashed CLI does not leave a server holding the port.
  const killOnExit = () => child?.kill("SIGKILL");
  const halt = async (signal: NodeJS.Signals) => {
    const running = child;
    child = undefined;
    if (running) await stopProcess(running, signal);
  };
  const launch = async () => {
    child = await launchServer(binary, args, port);
  };
  await launch();
  process.on("exit", killOnExit);
  const connections = tracked(() => new Redis(port, "127.0.0.1", FAIL_FAST));
  const url = `redis://127.0.0.1:${port}`;
  log(`redis-server ${persist ? "(persistent, .data/redis)" : "(throwaway)"} started at ${url}`);
  return {
    kind: "redis-server",
    url,
    describe: `redis-server at ${url}${persist ? ", persisted in .data/redis" : ", throwaway (no persistence)"}`,
    connect: connections.connect,
    async stop() {
      connections.closeAll();
      await halt("SIGTERM");
      process.off("exit", killOnExit);
    },
    kill: () => halt("SIGKILL"),
    async restart() {
      await halt("SIGKILL");
      await launch();
    },
    pid: () => child?.pid,
  };
}

/** Spawns redis-server and resolves once it answers PING; rejects with its output if it exits first. */
async function launchServer(binary: string, args: string[], port: number): Promise<ChildProcess> {
  const child = spawn(binary, args, { stdio: ["ignore", "pipe", "pipe"] });
  let output = "";
  const keepTail = (chunk: Buffer) => {
    output = (output + chunk.toString("utf8")).slice(-2000);
  };
  child.stdout?.on("data", keepTail);
  child.stderr?.on("data", keepTail);
  const exited = new Promise<never>((_, reject) => {
    child.once("error", reject);
    child.once("exit", (code, signal) =>
      reject(new Error(`redis-server exited during startup (${signal ?? `code ${code}`}):\n${output}`)),
    );
  });
  // Only startup failures matter here; the exit at stop() time must not become an unhandled rejection.
  exited.catch(() => {});
  // The probe queues PING until its own reconnect loop reaches the port: readiness is an event, not a sleep.
  const probe = new Redis(port, "127.0.0.1", { retryStrategy: () => 20, maxRetriesPerRequest: null });
  probe.on("error", () => {});
  let deadline: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    deadline = setTimeout(
      () => reject(new Error(`redis-server not ready within ${START_DEADLINE_MS} ms`)),
      START_DEADLINE_MS,
    );
  });
  try {
    await Promise.race([probe.ping(), exited, timeout]);
    return child;
  } catch (error) {
    child.kill("SIGKILL");
    throw error;
  } finally {
    clearTimeout(deadline);
    probe.disconnect();
  }
}

async function stopProcess(child: ChildProcess, signal: NodeJS.Signals): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const gone = new Promise<void>((done) => child.once("exit", () => done()));
  child.kill(signal);
  const escalate = setTimeout(() => child.kill("SIGKILL"), 5000);
  await gone;
  clearTimeout(escalate);
}

function embeddedBackend(): RedisBackend {
  // ioredis-mock shares one keyspace per host:port, so a unique host keeps backends apart and connections together.
  const host = `embedded-${++embeddedCount}`;
  const connections = tracked(() => mockConnection(new RedisMock({ host, port: 6379 })));
  return {
    kind: "embedded",
    url: undefined,
    describe:
      "!!! EMBEDDED FALLBACK: ioredis-mock, in-process, NOT a real Redis (no SCRIPT, lax errors, no persistence). " +
      "Install redis-server or set REDIS_URL for real semantics !!!",
    connect: connections.connect,
    stop: async () => connections.closeAll(),
  };
}

/**
 * Adapts ioredis-mock to RedisConnection. Commands are dispatched to the mock's own `<name>Buffer` methods
 * (only real commands have one, so EventEmitter methods cannot be reached); MULTI/EXEC queue on this
 * connection and run through the mock's `multi().exec()`. Thrown errors become ReplyErrors, as from Redis.
 */
function mockConnection(mock: object): RedisConnection {
  const methods = mock as Record<string, unknown>;
  let status = "ready";
  let queue: RedisArg[][] | undefined;
  let queueFailed = false;
  const methodFor = (command: string): string => {
    const name = `${command.toLowerCase()}Buffer`;
    if (typeof methods[name] !== "function") throw unknownCommand(command);
    return name;
  };
  const invoke = async (command: string, args: RedisArg[]): Promise<unknown> => {
    const method = methods[methodFor(command)] as (...a: RedisArg[]) => Promise<unknown>;
    try {
      return flattenObjects(await method.apply(mock, args));
    } catch (error) {
      throw asReplyError(error, command);
    }
  };
  const exec = async (commands: RedisArg[][]): Promise<unknown[]> => {
    const multi = methods.multi as (batch: RedisArg[][]) => { exec(): Promise<[unknown, unknown][]> };
    // The mock's exec() rejects as a whole when a command throws instead of answering an error.
    const results = await multi
      .call(mock, commands)
      .exec()
      .catch((error: unknown) => Promise.reject(asReplyError(error, "exec")));
    return results.map(([error, value], i) =>
      error ? asReplyError(error, String(commands[i]?.[0])) : flattenObjects(value),
    );
  };
  return {
    get status() {
      return status;
    },
    async callBuffer(command, ...args) {
      const name = command.toLowerCase();
      if (name === "multi" && !queue) {
        [queue, queueFailed] = [[], false];
        return Buffer.from("OK");
      }
      if (name === "exec" && queue) {
        const [batch, failed] = [queue, queueFailed];
        queue = undefined;
        if (failed) throw new RedisReplyError("EXECABORT Transaction discarded because of previous errors.");
        return exec(batch);
      }
      if (!queue) return invoke(command, args);
      try {
        queue.push([methodFor(command), ...args]);
      } catch (error) {
        queueFailed = true;
        throw error;
      }
      return Buffer.from("QUEUED");
    },
    on: () => undefined,
    off: () => undefined,
    disconnect() {
      status = "end";
    },
  };
}

function asReplyError(error: unknown, command: string): Error {
  if (isReplyError(error)) return error;
  const message = error instanceof Error ? error.message : String(error);
  // ioredis-mock lists every command as a method but throws "Unsupported command" for those it lacks.
  if (message.startsWith("Unsupported command")) return unknownCommand(command.replace(/Buffer$/, ""));
  // Keep Redis-style prefixes (NOSCRIPT, WRONGTYPE...) so clients that look for them still work.
  return new RedisReplyError(/^[A-Z]+ /.test(message) ? message : `ERR ${message}`);
}

function unknownCommand(command: string): Error {
  return new RedisReplyError(
    `ERR unknown command '${command}' (not implemented by the embedded ioredis-mock fallback)`,
  );
}

/** ioredis-mock returns HGETALL as an object (ioredis' reply transformer); Redis sends a flat array. */
function flattenObjects(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(flattenObjects);
  if (value === null || typeof value !== "object" || Buffer.isBuffer(value)) return value;
  return Object.entries(value).flatMap(([key, item]) => [Buffer.from(key), flattenObjects(item)]);
}

function findOnPath(command: string): string | undefined {
  for (const dir of (process.env.PATH ?? "").split(delimiter)) {
    if (!dir) continue;
    const candidate = join(dir, command);
    try {
      accessSync(candidate, constants.X_OK);
      return candidate;
    } catch {
      // not in this directory
    }
  }
  return undefined;
}

/** Asks the OS for a free loopback port (released right away, so a tiny race with other processes remains). */
async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((done, fail) => server.once("error", fail).listen(0, "127.0.0.1", done));
  const address = server.address();
  await new Promise<void>((done) => server.close(() => done()));
  if (address === null || typeof address === "string") throw new Error("could not allocate a free port");
  return address.port;
}

function withoutPassword(url: string): string {
  try {
    const parsed = new URL(url);
    if (parsed.password) parsed.password = "***";
    return parsed.toString();
  } catch {
    return "(unparsable REDIS_URL)";
  }
}
