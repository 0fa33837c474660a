/** The machine a run measured on, so results from different runs are read with their context. */
import { readFileSync } from "node:fs";
import os from "node:os";

/** What the results file records about the machine. */
export interface Machine {
  cpu: string;
  /** Cores this process may use (cgroup and affinity limits included). */
  cores: number;
  memoryGiB: number;
  node: string;
  os: string;
  arch: string;
  /** 1-, 5- and 15-minute load averages when the run began: other work on a shared machine shows up here. */
  loadAverage: number[];
}

/**
 * Describes this machine.
 *
 * @example
 * ```ts
 * describeMachine(); // { cpu: "AMD EPYC 7B13", cores: 2, memoryGiB: 23.5, node: "v24.1.0", ... }
 * ```
 */
export function describeMachine(): Machine {
  return {
    cpu: os.cpus()[0]?.model.trim() ?? "unknown",
    cores: os.availableParallelism(),
    memoryGiB: Math.round((os.totalmem() / 1024 ** 3) * 10) / 10,
    node: process.version,
    os: `${distribution() ?? os.type()} (kernel ${os.release()})`,
    arch: os.arch(),
    loadAverage: os.loadavg().map((load) => Math.round(load * 100) / 100),
  };
}

/** The Linux distribution's name, from /etc/os-release; undefined elsewhere. */
function distribution(): string | undefined {
  try {
    return /^PRETTY_NAME="?([^"\n]*)"?$/m.exec(readFileSync("/etc/os-release", "utf8"))?.[1];
  } catch {
    return undefined;
  }
}
