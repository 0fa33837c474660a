import { randomUUID } from "node:crypto";
import { rmSync } from "node:fs";
import { mkdtemp } from "node:fs/promises";
import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo, Socket } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { migrateMysql } from "../../dev/migrate.ts";
import { whenParentDies } from "../../emulators/backends/host.ts";
import { startMariaDb } from "../../emulators/backends/mariadb.ts";
import { startRedis } from "../../emulators/backends/redis.ts";
import { startPlanetScaleEmulator } from "../../emulators/planetscale/server.ts";
import { startUpstashEmulator } from "../../emulators/upstash/server.ts";
import { answerFault, isUpstreamRequest } from "./fault-upstream.ts";

/** The control server of the fault tests; `close()` resumes, stops and removes everything it started. */
export interface FaultHarness {
  url: string;
  close(): Promise<void>;
}

/** What `POST /scratch-sql` answers: a PlanetScale-compatible URL of a database no other test file uses. */
export interface ScratchSql {
  databaseUrl: string | null;
  note?: string;
}

/** What `POST /start` answers: where the Worker reaches the fault backends, or why one is missing. */
export interface FaultBackends {
  redis: { url: string; token: string } | null;
  databaseUrl: string | null;
  notes: string[];
}

type Name = "redis" | "mysql";
type Action = "kill" | "pause" | "resume" | "restart";
type State = "running" | "killed" | "paused";

interface Target {
  pid(): number | undefined;
  kill(): Promise<void>;
  restart(): Promise<void>;
  state: State;
  /** While paused: the stopped pid and the watchdog that resumes and kills it should this process die. */
  paused?: { pid: number; releaseWatchdog: () => void };
  /** Actions on one backend run one after another. */
  queue: Promise<unknown>;
}

/**
 * Dedicated backends for test/worker/faults.test.ts, which kills, pauses (SIGSTOP) and restarts them while the
 * Worker talks to them: a redis-server behind its own Upstash-compatible endpoint and a MariaDB in a temp data dir
 * behind its own PlanetScale-compatible endpoint, so an outage never reaches the backends other test files use.
 * Tests in workerd cannot signal processes, so they ask this server (127.0.0.1, random port) over HTTP:
 *
 * - `POST /start`: starts the backends once (later calls answer the same) and answers {@link FaultBackends}. Lazy,
 *   so runs without the fault tests pay nothing for a second MariaDB.
 * - `POST /{redis|mysql}/{kill|pause|resume|restart}`: answers `{state, ms}` once the action is done (`restart`:
 *   once the server answers again). `kill` is SIGKILL; `pause` is SIGSTOP, `resume` SIGCONT.
 * - `POST /reset`: resumes what is paused and restarts what is down.
 * - `POST /scratch-sql`: starts (once) one more MariaDB + PlanetScale endpoint, never faulted, for a test file that
 *   fills its table with hostile data (battery-sql.test.ts): the shared database stays as other files expect it.
 *
 * - anything under `/upstream` or `/psdb.v1alpha1.Database/`: a faulty Upstash or PlanetScale endpoint giving the
 *   canned answer its credential names (see fault-upstream.ts), for the answers real servers cannot be made to give.
 *
 * A paused server never outlives the run: `close()` and process exit resume it, and a watchdog resumes and kills
 * it should this process die without either (even by SIGKILL).
 */
export async function startFaultHarness(options: {
  requireReal: boolean;
  log: (line: string) => void;
}): Promise<FaultHarness> {
  const targets = new Map<Name, Target>();
  const stops: (() => Promise<void>)[] = [];
  let started: Promise<FaultBackends> | undefined;

  const start = async (): Promise<FaultBackends> => {
    const notes: string[] = [];
    const token = randomUUID();
    const redis = await startRedis({ requireReal: options.requireReal });
    stops.push(() => redis.stop());
    let redisAccess: FaultBackends["redis"] = null;
    if (redis.kill && redis.restart && redis.pid) {
      targets.set("redis", {
        pid: redis.pid,
        kill: redis.kill,
        restart: redis.restart,
        state: "running",
        queue: Promise.resolve(),
      });
      const upstash = await startUpstashEmulator({ backend: redis, token, port: 0 });
      stops.push(() => upstash.close());
      redisAccess = { url: upstash.url, token };
    } else {
      notes.push(`Redis faults not run: no redis-server to signal (${redis.describe})`);
    }
    let databaseUrl: string | null = null;
    try {
      const { mysql, url } = await startSqlBackend("faults", token, stops);
      if (!mysql.kill || !mysql.restart || !mysql.pid) throw new Error(`cannot signal ${mysql.describe}`);
      targets.set("mysql", {
        pid: mysql.pid,
        kill: mysql.kill,
        restart: mysql.restart,
        state: "running",
        queue: Promise.resolve(),
      });
      databaseUrl = url;
    } catch (error) {
      if (options.requireReal) throw error;
      notes.push(`SQL faults not run: ${error instanceof Error ? error.message : String(error)}`);
    }
    for (const note of notes) options.log(note);
    return { redis: redisAccess, databaseUrl, notes };
  };

  const startScratch = async (): Promise<ScratchSql> => {
    try {
      return { databaseUrl: (await startSqlBackend("scratch", randomUUID(), stops)).url };
    } catch (error) {
      if (options.requireReal) throw error;
      return { databaseUrl: null, note: error instanceof Error ? error.message : String(error) };
    }
  };
  let scratch: Promise<ScratchSql> | undefined;

  // Process exit (normal or by an uncaught error) must not leave a stopped server behind.
  const resumeOnExit = () => {
    for (const target of targets.values()) if (target.paused) signal(target.paused.pid, "SIGCONT");
  };
  process.on("exit", resumeOnExit);

  const server = createServer((req, res) => {
    if (isUpstreamRequest(req)) return answerFault(req, res);
    route(req)
      .then((body) => reply(res, 200, body))
      .catch((error: unknown) =>
        reply(res, 500, { error: error instanceof Error ? error.message : String(error) }),
      );
  });
  async function route(req: IncomingMessage): Promise<unknown> {
    const [first = "", second = ""] = (req.url ?? "").split("/").filter(Boolean);
    if (req.method !== "POST") throw new Error("use POST");
    if (first === "start") {
      started ??= start();
      return started;
    }
    if (first === "scratch-sql") {
      scratch ??= startScratch();
      return scratch;
    }
    if (first === "reset") {
      for (const name of targets.keys()) await act(name, "reset");
      return { ok: true };
    }
    if ((first === "redis" || first === "mysql") && ["kill", "pause", "resume", "restart"].includes(second)) {
      return act(first, second as Action);
    }
    throw new Error(`no action at ${req.url}`);
  }

  async function act(name: Name, action: Action | "reset"): Promise<{ state: State; ms: number }> {
    const target = targets.get(name);
    if (!target) throw new Error(`${name} was not started (POST /start first), or cannot be signalled`);
    const run = target.queue.then(async () => {
      const began = performance.now();
      await apply(target, action);
      return { state: target.state, ms: Math.round(performance.now() - began) };
    });
    target.queue = run.catch(() => undefined);
    return run;
  }

  await new Promise<void>((done) => server.listen(0, "127.0.0.1", done));
  const sockets = new Set<Socket>();
  server.on("connection", (socket) => {
    sockets.add(socket);
    socket.on("close", () => sockets.delete(socket));
  });
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    async close() {
      for (const target of targets.values()) resume(target);
      for (const socket of sockets) socket.destroy();
      await new Promise<void>((done) => server.close(() => done()));
      for (const stop of stops.reverse()) await stop().catch((error: unknown) => options.log(String(error)));
      process.off("exit", resumeOnExit);
    },
  };
}

/** A migrated MariaDB in a temp data dir behind its own PlanetScale-compatible endpoint. */
async function startSqlBackend(label: string, password: string, stops: (() => Promise<void>)[]) {
  const dataDir = await mkdtemp(join(tmpdir(), `eap-${label}-mariadb-`));
  stops.push(async () => rmSync(dataDir, { recursive: true, force: true }));
  const mysql = await startMariaDb({ dataDir: join(dataDir, "data") });
  stops.push(() => mysql.stop());
  const planetscale = await startPlanetScaleEmulator({
    mysqlUrl: mysql.url,
    username: label,
    password,
    port: 0,
  });
  stops.push(() => planetscale.close());
  await migrateMysql(planetscale.url);
  return { mysql, url: planetscale.url };
}

async function apply(target: Target, action: Action | "reset"): Promise<void> {
  // Every action but pause starts from a running process: a stopped one would ignore SIGTERM on restart.
  if (action !== "pause") resume(target);
  if (action === "kill") {
    await target.kill();
    target.state = "killed";
  } else if (action === "restart" || (action === "reset" && target.state === "killed")) {
    await target.restart();
    target.state = "running";
  } else if (action === "pause") {
    const pid = target.pid();
    if (target.state !== "running" || pid === undefined)
      throw new Error(`cannot pause a ${target.state} server`);
    signal(pid, "SIGSTOP");
    // Should this process die while the server is stopped, resume and kill it rather than leave it frozen.
    target.paused = { pid, releaseWatchdog: whenParentDies('kill -s CONT "$1"; kill -s KILL "$1"', pid) };
    target.state = "paused";
  }
}

function resume(target: Target): void {
  if (!target.paused) return;
  signal(target.paused.pid, "SIGCONT");
  target.paused.releaseWatchdog();
  target.paused = undefined;
  target.state = "running";
}

function signal(pid: number, name: NodeJS.Signals): void {
  try {
    process.kill(pid, name);
  } catch {
    // already gone
  }
}

function reply(res: ServerResponse, status: number, body: unknown): void {
  res.writeHead(status, { "content-type": "application/json" }).end(JSON.stringify(body));
}
