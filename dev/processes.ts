/**
 * Process groups: `wrangler dev` runs in its own, so stopping it also stops the workerd and esbuild it spawned, and
 * a watchdog stops it even when this process dies without cleaning up.
 */
import type { ChildProcess } from "node:child_process";
import { readdirSync, readFileSync } from "node:fs";
import { setTimeout as delay } from "node:timers/promises";
import { whenParentDies } from "../emulators/backends/host.ts";

/**
 * Stops a child started with `detached: true` together with everything it spawned (its process group): SIGINT
 * first, as Ctrl-C would send it, then SIGKILL for whatever is still alive after `graceMs`.
 *
 * @example
 * ```ts
 * const child = spawn(process.execPath, ["server.js"], { detached: true });
 * await stopProcessGroup(child);
 * ```
 */
export async function stopProcessGroup(child: ChildProcess, graceMs = 5000): Promise<void> {
  const pgid = child.pid;
  if (pgid === undefined) return;
  signalGroup(pgid, "SIGINT");
  if (await groupGone(pgid, graceMs)) return;
  signalGroup(pgid, "SIGKILL");
  await groupGone(pgid, 2000);
}

/**
 * Ends the child's whole process group should this process die (even by SIGKILL) before `release()` is called.
 *
 * @example
 * ```ts
 * const release = killGroupIfParentDies(child.pid);
 * // ... later, after stopping the child normally:
 * release();
 * ```
 */
export function killGroupIfParentDies(pgid: number): () => void {
  return whenParentDies('kill -s TERM -- "-$1"', pgid);
}

/**
 * Live members of a process group. Zombies do not count: they hold no port or file, and in containers whose init
 * does not reap orphans they would otherwise linger forever. Linux reads /proc; elsewhere `kill(-pgid, 0)` answers.
 *
 * @example
 * ```ts
 * if (liveGroupMembers(child.pid).length === 0) console.log("all gone");
 * ```
 */
export function liveGroupMembers(pgid: number): number[] {
  if (process.platform !== "linux") return groupExists(pgid) ? [pgid] : [];
  return listProcesses()
    .filter((proc) => proc.pgid === pgid && proc.state !== "Z")
    .map((proc) => proc.pid);
}

/** One row of the process table. */
export interface ProcessInfo {
  pid: number;
  ppid: number;
  pgid: number;
  /** "R", "S", ... and "Z" for a zombie (ended, not yet reaped). */
  state: string;
}

/**
 * The process table from /proc (Linux only).
 *
 * @example
 * ```ts
 * const children = listProcesses().filter((proc) => proc.ppid === process.pid);
 * ```
 */
export function listProcesses(): ProcessInfo[] {
  const rows: ProcessInfo[] = [];
  for (const entry of readdirSync("/proc")) {
    if (!/^\d+$/.test(entry)) continue;
    let stat: string;
    try {
      stat = readFileSync(`/proc/${entry}/stat`, "utf8");
    } catch {
      continue; // it ended while we listed /proc
    }
    // After "pid (command name)": state, ppid, pgrp. The name may hold spaces and parentheses, hence lastIndexOf.
    const [state = "", ppid, pgid] = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
    rows.push({ pid: Number(entry), ppid: Number(ppid), pgid: Number(pgid), state });
  }
  return rows;
}

function groupExists(pgid: number): boolean {
  try {
    process.kill(-pgid, 0);
    return true;
  } catch {
    return false;
  }
}

function signalGroup(pgid: number, signal: NodeJS.Signals): void {
  try {
    process.kill(-pgid, signal);
  } catch {
    // the group is already gone
  }
}

/** Polls the process table (there is no event for "a grandchild exited") until the group is empty. */
async function groupGone(pgid: number, timeoutMs: number): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  while (liveGroupMembers(pgid).length > 0) {
    if (Date.now() > deadline) return false;
    await delay(50);
  }
  return true;
}
