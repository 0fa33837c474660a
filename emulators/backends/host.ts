/**
 * What the local backends need from the machine they run on: server binaries to launch and free ports to put them on.
 */
import { spawn } from "node:child_process";
import fs from "node:fs";
import net from "node:net";
import path from "node:path";

/**
 * The directories on PATH, in order, without empty entries.
 * @example const dirs = [...searchPath(), "/usr/sbin"];
 */
export function searchPath(): string[] {
  return (process.env.PATH ?? "").split(path.delimiter).filter(Boolean);
}

/**
 * The first executable file named one of `names` (tried in order) in one of `dirs`.
 * @example const binary = findExecutable(["redis-server"], searchPath()); // "/usr/bin/redis-server" or undefined
 */
export function findExecutable(names: string[], dirs: string[]): string | undefined {
  for (const name of names) {
    for (const dir of dirs) {
      const candidate = path.join(dir, name);
      try {
        fs.accessSync(candidate, fs.constants.X_OK);
        if (fs.statSync(candidate).isFile()) return candidate;
      } catch {
        // not here; keep looking
      }
    }
  }
  return undefined;
}

/**
 * Asks the OS for a free loopback port (released right away, so a tiny race with other processes remains).
 * @example const port = await freePort(); // e.g. 41873
 */
export async function freePort(): Promise<number> {
  const server = net.createServer();
  await new Promise<void>((done, fail) => server.once("error", fail).listen(0, "127.0.0.1", done));
  const address = server.address();
  await new Promise<void>((done) => server.close(() => done()));
  if (address === null || typeof address === "string") throw new Error("could not allocate a free port");
  return address.port;
}

/**
 * Runs a shell `action` against `target` (its `$1`) if this process dies before `release()` is called, even by
 * SIGKILL, which Node cannot trap: a tiny `/bin/sh` holds a pipe from us and acts on EOF unless it first read "done".
 * Spell signals the POSIX way, `kill -s TERM`: dash (Debian's /bin/sh) rejects `kill -TERM -- -PGID` and kills nothing.
 * The watchdog keeps neither this process nor its event loop alive.
 * @example
 * const release = whenParentDies('kill -s TERM -- "-$1"', child.pid); // the child's whole process group
 * // ... after stopping the child normally:
 * release();
 */
export function whenParentDies(action: string, target: number): () => void {
  const watchdog = spawn(
    "/bin/sh",
    ["-c", `read -r line || { ${action}; } 2>/dev/null`, "watchdog", String(target)],
    {
      stdio: ["pipe", "ignore", "ignore"],
      detached: true,
    },
  );
  watchdog.on("error", () => {});
  watchdog.stdin?.on("error", () => {});
  watchdog.unref();
  (watchdog.stdin as net.Socket | null)?.unref();
  return () => watchdog.stdin?.end("done\n");
}
