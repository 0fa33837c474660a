/**
 * `npm run bench -- --quick` as CI's smoke test: the real CLI as a child process, which must start everything it
 * measures, fill every section of its results with error-free figures, and leave no process behind. No thresholds:
 * the numbers depend on the machine, the shape and the clean-up do not.
 */
import { spawn } from "node:child_process";
import { once } from "node:events";
import { mkdtempSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, expect, it, vi } from "vitest";
import type { Results } from "../../bench/results.ts";
import { isFree } from "../../dev/ports.ts";

const projectDir = join(import.meta.dirname, "../..");
const outDir = mkdtempSync(join(tmpdir(), "eap-bench-test-"));
// Every process the bench starts inherits its environment, so this marker finds them, even orphans (but see below).
const markerValue = `${process.pid}-${Date.now()}`;
const marker = `EAP_BENCH_SMOKE=${markerValue}`;

afterAll(() => {
  rmSync(outDir, { recursive: true, force: true });
});

it("measures every pattern in quick mode and stops everything it started", async () => {
  const child = spawn(process.execPath, ["bench/cli.ts", "--quick", "--out", outDir], {
    cwd: projectDir,
    env: { ...process.env, EAP_BENCH_SMOKE: markerValue },
    stdio: ["ignore", "pipe", "pipe"],
  });
  let output = "";
  child.stdout.on("data", (chunk: Buffer) => (output += chunk));
  child.stderr.on("data", (chunk: Buffer) => (output += chunk));
  const [code] = await once(child, "exit");
  expect(code, output).toBe(0);

  const files = readdirSync(outDir);
  expect(files.filter((file) => file.endsWith("-quick.md"))).toHaveLength(1);
  const json = files.find((file) => file.endsWith("-quick.json"));
  const results = JSON.parse(readFileSync(join(outDir, json ?? "missing"), "utf8")) as Results;
  expect(results.mode).toBe("quick");
  expect(results.machine.cores).toBeGreaterThan(0);
  expect(results.timing).toHaveLength(6);
  // The 48-page site at each concurrency, then the skewed tree at six slots.
  expect(results.crawl.map((row) => row.concurrency)).toEqual([1, 3, 6, 6]);
  expect(new Set(results.crawl.map((row) => row.site)).size).toBe(2);
  for (const comparisons of [results.redis, results.sql]) {
    expect(comparisons).toHaveLength(6);
    for (const row of comparisons) expect(row.endpoint.requests * row.direct.requests).toBeGreaterThan(0);
  }
  expect(results.endToEnd.map((row) => [row.route, row.errors])).toEqual([
    ["/redis/hashes/car", 0],
    ["/sql/cars/1", 0],
    ["/timing/sync", 0],
  ]);
  expect(results.size.gzipKiB).toBeGreaterThan(0);
  expect(results.size.startupCpuMs).toBeGreaterThan(0);
  expect(output).toMatch(/section +case +measured +ratio/);

  // redis-server rewrites its environment area (its process title), so the marker cannot find it; its port can.
  const redisPort = Number(new URL(results.servers.redisUrl).port);
  expect(await isFree(redisPort), `redis-server still listens on ${redisPort}`).toBe(true);
  // The watchdog shells end a moment after the bench tells them it is done, hence waitFor rather than one look.
  if (process.platform === "linux") {
    await vi.waitFor(() => expect(processesWith(marker)).toEqual([]), { timeout: 5000 });
  }
}, 180_000);

/** Live processes whose environment holds `entry` (Linux /proc; zombies have an empty environment). */
function processesWith(entry: string): string[] {
  const found: string[] = [];
  for (const pid of readdirSync("/proc").filter((name) => /^\d+$/.test(name))) {
    try {
      const environ = readFileSync(`/proc/${pid}/environ`, "latin1").split("\0");
      if (environ.includes(entry)) found.push(`${pid} ${readFileSync(`/proc/${pid}/cmdline`, "latin1")}`);
    } catch {
      // it ended while we looked, or it is not ours to read
    }
  }
  return found;
}
