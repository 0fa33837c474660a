/**
 * `npm run dev` end to end, as a user runs it: the real CLI as a child process on free ports and a temp data dir,
 * one request per pattern over HTTP, then Ctrl-C (SIGINT) and a check that nothing it started is left behind,
 * then a second start that must find the SQL row of the first. Once with redis-server and MariaDB (CI=true, so no
 * silent fallback), once with them hidden (embedded Redis, D1).
 */
import type { ChildProcess } from "node:child_process";
import { once } from "node:events";
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { parseEnv } from "node:util";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { isFree } from "../../dev/ports.ts";
import { listProcesses } from "../../dev/processes.ts";
import { devEnv, pathWithout, projectDir, startDev } from "../support/dev-cli.ts";

const devVars = join(projectDir, ".dev.vars");
const apiToken = existsSync(devVars)
  ? parseEnv(readFileSync(devVars, "utf8")).API_TOKEN || undefined
  : undefined;
const modes = [
  { name: "redis-server and MariaDB", fallback: false, env: { CI: "true" } },
  {
    name: "fallbacks (embedded Redis, D1)",
    fallback: true,
    // DEV_SQL=d1 as well, because the MariaDB finder also looks in /usr/sbin, off PATH.
    env: { CI: "false", DEV_SQL: "d1", PATH: pathWithout(["redis-server", "mariadbd", "mysqld"]) },
  },
];

let site: Server;
let siteUrl: string;

beforeAll(async () => {
  // The crawl target: two linked pages and a robots.txt, on loopback (allowed in development mode).
  const pages: Record<string, string> = {
    "/": '<html><head><title>Home</title></head><body><a href="/about">about</a></body></html>',
    "/about": "<html><head><title>About</title></head><body>hi</body></html>",
  };
  site = createServer((req, res) => {
    if (req.url === "/robots.txt") return res.end("User-agent: *\nAllow: /\n");
    const page = pages[req.url ?? ""];
    res.writeHead(page ? 200 : 404, { "content-type": "text/html; charset=utf-8" }).end(page ?? "not found");
  });
  await once(site.listen(0, "127.0.0.1"), "listening");
  siteUrl = `http://127.0.0.1:${(site.address() as AddressInfo).port}/`;
});

afterAll(() => {
  site.close();
});

describe.each(modes)("npm run dev with $name", (mode) => {
  it("serves every pattern, stops cleanly on Ctrl-C, and keeps SQL data for the next start", async () => {
    const dataDir = mkdtempSync(join(tmpdir(), "eap-e2e-"));
    const { env, ports, base } = await devEnv(dataDir, mode.env);
    try {
      const first = await startDevRun(env);
      const health = await call<{ checks: { sql: { backend: string } } }>("GET", `${base}/health`);
      expect(health.status, JSON.stringify(health.body)).toBe(200);
      expect(health.body).toMatchObject({
        status: "ok",
        checks: { redis: { status: "ok" }, sql: { status: "ok" } },
      });
      expect(health.body.checks.sql.backend).toMatch(mode.fallback ? /^d1$/ : /^planetscale /);
      expect(first.output).toMatch(mode.fallback ? /Redis +in-process +fallback/ : /Redis +redis:\S+ +real/);

      expect((await call("GET", `${base}/redis/hashes/car`)).body).toMatchObject({
        fields: { make: "Toyota" },
      });
      expect((await call("PUT", `${base}/redis/hashes/e2e`, { a: 1 })).status).toBe(200);
      expect((await call("GET", `${base}/redis/hashes/e2e`)).body).toMatchObject({ fields: { a: "1" } });

      const car = { make: "Mazda", model: "MX-5", year: 1990, price: "9999.00" };
      const created = await call<{ id: string }>("POST", `${base}/sql/cars`, car);
      expect(created.status).toBe(201);
      expect((await call("GET", `${base}/sql/cars/${created.body.id}`)).body).toMatchObject(car);
      const list = await call<{ items: unknown[] }>("GET", `${base}/sql/cars?limit=100`);
      expect(list.body.items.length).toBeGreaterThanOrEqual(5); // the seed and ours

      const crawlUrl = `${base}/crawl?url=${encodeURIComponent(siteUrl)}&maxPages=5`;
      const crawl = await call<{ pages: { title?: string }[] }>("GET", crawlUrl);
      expect(crawl.body.pages.map((page) => page.title).sort()).toEqual(["About", "Home"]);

      const timing = await call<{ elapsedMs: number }>("GET", `${base}/timing/concurrent?tasks=3&ms=200`);
      expect(timing.body.elapsedMs).toBeLessThan(550); // 3 × 200 ms one after another would be 600

      await stopDev(first, ports);
      expect(readdirSync(join(projectDir, ".wrangler"))).not.toContain(`dev-${ports[0]}.env`);

      const second = await startDevRun(env);
      expect((await call("GET", `${base}/sql/cars/${created.body.id}`)).status).toBe(200);
      await stopDev(second, ports);
    } finally {
      rmSync(dataDir, { recursive: true, force: true });
    }
  }, 90_000);
});

interface DevRun {
  child: ChildProcess;
  /** Everything the CLI printed so far. */
  readonly output: string;
  /** Every process the CLI had started, directly or not, once it was ready. */
  descendants: number[];
}

/** Starts the CLI and, once it is ready, notes every process it started. */
async function startDevRun(env: NodeJS.ProcessEnv): Promise<DevRun> {
  const { child, output } = await startDev(env);
  return {
    child,
    get output() {
      return output();
    },
    descendants: descendantsOf(child.pid ?? 0),
  };
}

async function stopDev(run: DevRun, ports: number[]): Promise<void> {
  const exited = once(run.child, "exit");
  run.child.kill("SIGINT");
  const [code] = await exited;
  expect(code, run.output).toBe(130);
  expect(run.descendants.length).toBeGreaterThanOrEqual(3);
  expect(run.descendants.filter(isAlive), run.output).toEqual([]);
  for (const port of ports) expect(await isFree(port), `port ${port}`).toBe(true);
}

/** One request (with the bearer token from .dev.vars, if any); `T` names the part of the answer the test reads. */
async function call<T = unknown>(
  method: string,
  url: string,
  body?: object,
): Promise<{ status: number; body: T }> {
  const headers = {
    "content-type": "application/json",
    ...(apiToken ? { authorization: `Bearer ${apiToken}` } : {}),
  };
  const response = await fetch(url, { method, headers, body: body && JSON.stringify(body) });
  return { status: response.status, body: (await response.json()) as T };
}

/** Children, grandchildren... of `root` (detached ones included: they keep their parent). */
function descendantsOf(root: number): number[] {
  const table = listProcesses();
  const found: number[] = [];
  for (let i = -1; i < found.length; i++) {
    const parent = i < 0 ? root : found[i];
    for (const proc of table) if (proc.ppid === parent && !found.includes(proc.pid)) found.push(proc.pid);
  }
  return found;
}

/** A zombie counts as gone: it holds nothing, and containers whose init does not reap keep them forever. */
function isAlive(pid: number): boolean {
  return listProcesses().some((proc) => proc.pid === pid && proc.state !== "Z");
}
