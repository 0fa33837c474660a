/**
 * First-run creation of a data dir's system tables, with mariadb-install-db or `mysqld --initialize-insecure`.
 */
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { findExecutable, searchPath } from "./host.ts";
import { execFileAsync, INSTALL_HINT, type ServerPlan, TAIL_LINES, userArgs } from "./mariadb-binary.ts";

/**
 * Creates the system tables once. It runs in a staging directory renamed into place on success, so a run killed
 * halfway leaves no half-initialised data dir that later runs would trust.
 * @example await initialiseDataDir(plan); // no-op when plan.dataDir already holds mysql/
 */
export async function initialiseDataDir(plan: ServerPlan): Promise<void> {
  if (fs.existsSync(path.join(plan.dataDir, "mysql"))) return;
  if (fs.existsSync(plan.dataDir) && fs.readdirSync(plan.dataDir).length > 0) {
    throw new Error(
      `${plan.dataDir} is not empty but holds no MySQL data (no mysql/ folder); delete it or pass another dataDir.`,
    );
  }
  const staging = `${plan.dataDir}.initialising`;
  fs.rmSync(staging, { recursive: true, force: true });
  fs.mkdirSync(path.dirname(plan.dataDir), { recursive: true });
  const [command, args] = initCommand(plan, staging);
  plan.log(`initialising ${plan.dataDir} with ${command}`);
  // A private temp dir: bootstrap temp tables in a shared /tmp were seen to vanish while several ran at once.
  const tmpdir = fs.mkdtempSync(path.join(os.tmpdir(), "mariadb-init-"));
  try {
    await execFileAsync(command, [...args, `--tmpdir=${tmpdir}`], { timeout: 120_000 });
  } catch (error) {
    const stderr = (error as { stderr?: string }).stderr ?? "";
    throw new Error(
      `Initialising ${plan.dataDir} with ${command} failed: ${lastLines(stderr) || String(error)}`,
    );
  } finally {
    fs.rmSync(tmpdir, { recursive: true, force: true });
  }
  fs.rmSync(plan.dataDir, { recursive: true, force: true });
  fs.renameSync(staging, plan.dataDir);
}

function initCommand(plan: ServerPlan, dataDir: string): [string, string[]] {
  if (plan.flavor === "mysqld") {
    return [plan.binary, ["--no-defaults", "--initialize-insecure", `--datadir=${dataDir}`, ...userArgs()]];
  }
  const serverDir = path.dirname(plan.binary);
  const dirs = [
    ...searchPath(),
    "/usr/bin",
    serverDir,
    path.join(serverDir, "../bin"),
    path.join(serverDir, "../scripts"),
  ];
  const installer = findExecutable(["mariadb-install-db", "mysql_install_db"], dirs);
  if (!installer) throw new Error(`mariadb-install-db not found next to ${plan.binary}: ${INSTALL_HINT}.`);
  const args = [
    "--no-defaults",
    `--datadir=${dataDir}`,
    "--auth-root-authentication-method=normal",
    "--skip-test-db",
  ];
  return [installer, [...args, ...userArgs()]];
}

function lastLines(text: string): string {
  return text.trim().split("\n").slice(-TAIL_LINES).join("\n");
}
