/**
 * What the local backends need from the machine they run on: server binaries to launch and free ports to put them on.
 */
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
