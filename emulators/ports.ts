/**
 * Port checks before anything starts, so a clash ends in one sentence naming the port and the variable that moves
 * it, not in a half-started stack or a bind error deep inside a child process.
 */
import { createServer } from "node:net";
import { StartupError } from "./supervise.ts";

/** A fixed port the stack will listen on, and the variable that overrides it. */
export interface PortClaim {
  port: number;
  variable: string;
  what: string;
}

/**
 * Throws a StartupError naming every claimed port that something else already listens on (127.0.0.1).
 *
 * @example
 * ```ts
 * await assertPortsFree([{ port: 8787, variable: "PORT", what: "the Worker" }], "npm run dev");
 * ```
 */
export async function assertPortsFree(claims: PortClaim[], command: string): Promise<void> {
  const busy: PortClaim[] = [];
  for (const claim of claims) if (!(await isFree(claim.port))) busy.push(claim);
  if (busy.length === 0) return;
  const list = busy.map((claim) => `${claim.port} (${claim.what})`).join(", ");
  const moves = busy.map((claim) => `${claim.variable}=${claim.port + 1}`).join(" ");
  throw new StartupError(
    `Port ${list} is already in use on 127.0.0.1, probably by another \`npm run dev\` or \`npm run emulators\`. ` +
      `Stop that process (\`lsof -i :${busy[0]?.port}\` shows which one) or choose other ports, e.g. \`${moves} ${command}\`.`,
  );
}

/**
 * Whether `port` can be bound on 127.0.0.1 right now.
 *
 * @example
 * ```ts
 * if (!(await isFree(8787))) console.log("8787 is taken");
 * ```
 */
export async function isFree(port: number): Promise<boolean> {
  const server = createServer();
  const bound = await new Promise<boolean>((done) => {
    server.once("error", () => done(false));
    server.listen({ port, host: "127.0.0.1", exclusive: true }, () => done(true));
  });
  if (bound) await new Promise<void>((done) => server.close(() => done()));
  return bound;
}
