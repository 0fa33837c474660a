/**
 * A crawl job survives the whole local stack dying under it: `npm run dev` (the real CLI, free ports, a temp
 * data dir) runs a job against a local site of slow pages; halfway through, with pages in flight, every process
 * of the stack is killed with SIGKILL (no chance to tidy up); a second `npm run dev` on the same data dir must
 * resume the job by itself (its alarm is stored with it) and finish it with every page exactly once in its
 * results.
 */
import type { ChildProcess } from "node:child_process";
import { once } from "node:events";
import { mkdtempSync, rmSync } from "node:fs";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { setTimeout as delay } from "node:timers/promises";
import { afterAll, beforeAll, expect, it } from "vitest";
import { isFree } from "../../dev/ports.ts";
import { listProcesses } from "../../dev/processes.ts";
import { devEnv, pathWithout, startDev } from "../support/dev-cli.ts";

const TOKEN = "e2e-crawl-jobs-token";
const PAGES = 120;
const PAGE_MS = 150;

interface Job {
  id: string;
  status: string;
  counts: { queued: number; fetched: number; failed: number };
  usage: { invocations: number };
}

let site: Server;
let siteUrl: string;
const requests = new Map<string, number>();
let inFlight = 0;

beforeAll(async () => {
  // An index linking to PAGES - 1 pages, every one answering after PAGE_MS: slow enough to kill mid-batch.
  site = createServer((req, res) => {
    const path = req.url ?? "/";
    requests.set(path, (requests.get(path) ?? 0) + 1);
    if (path === "/robots.txt") return res.end("User-agent: *\nAllow: /\n");
    inFlight++;
    const links =
      path === "/" ? Array.from({ length: PAGES - 1 }, (_, i) => `<a href="/p/${i + 1}">p</a>`) : [];
    setTimeout(() => {
      inFlight--;
      res.writeHead(200, { "content-type": "text/html" }).end(`<title>${path}</title>${links.join("")}`);
    }, PAGE_MS);
  });
  await once(site.listen(0, "127.0.0.1"), "listening");
  siteUrl = `http://127.0.0.1:${(site.address() as AddressInfo).port}/`;
});

afterAll(() => {
  site.close();
});

it("resumes a crawl job after the whole stack is killed, every page once", { timeout: 240_000 }, async () => {
  const dataDir = mkdtempSync(join(tmpdir(), "eap-e2e-jobs-"));
  const { env, ports, base } = await devEnv(dataDir, {
    CI: "false",
    DEV_SQL: "d1",
    PATH: pathWithout(["redis-server", "mariadbd", "mysqld"]),
    API_TOKEN: TOKEN,
    // 20 subrequests an invocation: the job takes at least six.
    SUBREQUEST_BUDGET: "20",
  });
  try {
    const { child: first } = await startDev(env);
    const created = await fetch(`${base}/crawl/jobs`, {
      method: "POST",
      headers: { "content-type": "application/json", authorization: `Bearer ${TOKEN}` },
      body: JSON.stringify({ url: siteUrl, maxDepth: 1, source: "links" }),
    });
    expect(created.status).toBe(202);
    const { id } = (await created.json()) as Job;

    // Halfway, and only while pages are in flight, so the kill cuts fetches off.
    let before: Job = await readJob(base, id);
    while (before.counts.fetched < PAGES / 2 || inFlight === 0) {
      expect(before.status).not.toBe("completed");
      await delay(10);
      before = await readJob(base, id);
    }
    killAll(first);
    const cutOff = inFlight;
    for (const port of ports) await until(() => isFree(port), `port ${port} free`);
    const requestedBefore = new Map(requests);

    const { child: second } = await startDev(env);
    // The alarm was stored with the job, so the job resumes by itself, before any client asks about it.
    const total = () => [...requests.values()].reduce((sum, n) => sum + n, 0);
    const killedTotal = [...requestedBefore.values()].reduce((sum, n) => sum + n, 0);
    await until(async () => total() > killedTotal, "the job to resume by itself");
    let after = await readJob(base, id);
    while (after.status !== "completed") {
      expect(after.status).toBe("running");
      await delay(50);
      after = await readJob(base, id);
    }
    const pages = await allPages(base, id);
    killAll(second);

    expect(after.counts).toMatchObject({ queued: 0, fetched: PAGES, failed: 0 });
    const urls = pages.map((page) => page.url);
    expect(new Set(urls).size).toBe(PAGES);
    expect(urls).toHaveLength(PAGES);
    // Each page was requested once, except those cut off in flight (at most the 6 slots), requested once more.
    const twice = [...requests].filter(([path, n]) => path !== "/robots.txt" && n > 1).map(([path]) => path);
    expect(twice.length).toBeLessThanOrEqual(6);
    for (const path of twice) expect(requestedBefore.get(path)).toBe(1);
    expect([...requests.values()].every((n) => n <= 2)).toBe(true);
    expect(requests.get("/robots.txt")).toBe(1);
    console.log(
      JSON.stringify({
        killedAt: before.counts,
        inFlightAtKill: cutOff,
        requestedBeforeKill: requestedBefore.size,
        requestedTwice: twice,
        invocations: after.usage.invocations,
      }),
    );
  } finally {
    rmSync(dataDir, { recursive: true, force: true });
  }
});

async function readJob(base: string, id: string): Promise<Job> {
  const response = await fetch(`${base}/crawl/jobs/${id}`);
  expect(response.status).toBe(200);
  return (await response.json()) as Job;
}

async function allPages(base: string, id: string): Promise<{ url: string }[]> {
  const pages: { url: string }[] = [];
  let cursor: string | null = "0";
  while (cursor !== null) {
    const response = await fetch(`${base}/crawl/jobs/${id}/pages?limit=50&cursor=${cursor}`);
    const body = (await response.json()) as { items: { url: string }[]; nextCursor: string | null };
    pages.push(...body.items);
    cursor = body.nextCursor;
  }
  return pages;
}

/** SIGKILL to the CLI and everything it started at once: nothing gets to shut down cleanly. */
function killAll(child: ChildProcess): void {
  const table = listProcesses();
  const all = [child.pid ?? 0];
  for (let i = 0; i < all.length; i++) {
    for (const proc of table) if (proc.ppid === all[i] && !all.includes(proc.pid)) all.push(proc.pid);
  }
  for (const pid of all) {
    try {
      process.kill(pid, "SIGKILL");
    } catch {
      // already gone
    }
  }
}

async function until(check: () => Promise<boolean>, what: string): Promise<void> {
  const deadline = Date.now() + 30_000;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`Timed out waiting for ${what}.`);
    await delay(100);
  }
}
