/**
 * `npm run dev` failing to start: each case must end quickly with exit code 1 and one readable paragraph that
 * names the fix, never a stack trace, and leave nothing running.
 */
import { once } from "node:events";
import { mkdtempSync, rmSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { devEnv, pathWithout, spawnDev } from "../support/dev-cli.ts";

const dataDirs: string[] = [];

afterEach(() => {
  for (const dir of dataDirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

describe("npm run dev refuses to start", () => {
  it("when the Worker's port is taken, naming the port and the PORT variable", async () => {
    const blocker = createServer();
    await once(blocker.listen(0, "127.0.0.1"), "listening");
    const port = (blocker.address() as { port: number }).port;
    try {
      const { code, output } = await runDev({ PORT: String(port) });
      expect(code).toBe(1);
      expect(output).toContain(`Port ${port} (the Worker) is already in use`);
      expect(output).toContain(`PORT=${port + 1} npm run dev`);
      expect(output).not.toMatch(/^\s+at /m);
    } finally {
      blocker.close();
    }
  });

  it("when CI=true and redis-server is missing, instead of falling back", async () => {
    const { code, output } = await runDev({ CI: "true", PATH: pathWithout(["redis-server"]) });
    expect(code).toBe(1);
    expect(output).toMatch(/redis-server not found|No MySQL-compatible server/);
    expect(output).toMatch(/install/);
    expect(output).not.toMatch(/^\s+at /m);
  }, 60_000);

  it("when a port variable is not a port", async () => {
    const { code, output } = await runDev({ UPSTASH_PORT: "eighty" });
    expect(code).toBe(1);
    expect(output).toContain('UPSTASH_PORT must be a port number between 1 and 65535, got "eighty".');
  });
});

/** Runs the CLI on free ports and a temp data dir until it exits by itself. */
async function runDev(overrides: NodeJS.ProcessEnv): Promise<{ code: number | null; output: string }> {
  const dataDir = mkdtempSync(join(tmpdir(), "eap-e2e-errors-"));
  dataDirs.push(dataDir);
  const { env } = await devEnv(dataDir, overrides);
  const child = spawnDev(env);
  let output = "";
  child.stdout?.on("data", (chunk: Buffer) => (output += chunk.toString()));
  child.stderr?.on("data", (chunk: Buffer) => (output += chunk.toString()));
  const [code] = (await once(child, "exit")) as [number | null];
  return { code, output };
}
