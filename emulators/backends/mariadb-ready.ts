/**
 * Readiness: a server counts as started once a real connection gets an answer, and the database then exists.
 */
import { setTimeout as delay } from "node:timers/promises";
import type { Connection, RowDataPacket } from "mysql2/promise";
import mysql from "mysql2/promise";
import { type RunningServer, stopServer } from "./mariadb-process.ts";

/**
 * Where to log in, and the database to make sure of.
 * @example const target: ProbeTarget = { host: "127.0.0.1", port, user: "root", password: "", database: "app" };
 */
export interface ProbeTarget {
  host: string;
  port: number;
  user: string;
  password: string;
  database: string;
}

type ProbeOutcome = { version: string } | { version?: undefined; retry: boolean; error: string };

const READY_TIMEOUT_MS = 30_000;

/**
 * Polls with a real connection until the server answers (or exits, or 30 s pass), then creates the database.
 * @returns the server's version string
 * @example const version = await waitUntilReady(target, launchServer(plan)); // "11.4.2-MariaDB-…"
 */
export async function waitUntilReady(target: ProbeTarget, server?: RunningServer): Promise<string> {
  const deadline = Date.now() + READY_TIMEOUT_MS;
  let lastError = "";
  for (;;) {
    const exited = server
      ? server.exited.then((reason) => ({ exited: reason }))
      : new Promise<never>(() => {});
    const outcome = await Promise.race([probeServer(target), exited]);
    if ("exited" in outcome) {
      throw startupError(`exited (${outcome.exited}) before accepting connections`, server);
    }
    if (outcome.version !== undefined) return outcome.version;
    if (!outcome.retry) throw startupError(`refused the connection: ${outcome.error}`, server);
    lastError = outcome.error;
    if (Date.now() > deadline) {
      if (server) await stopServer(server, "SIGKILL");
      throw startupError(
        `did not accept connections within ${READY_TIMEOUT_MS / 1000} s (${lastError})`,
        server,
      );
    }
    await (server ? Promise.race([delay(100), server.exited]) : delay(100));
  }
}

async function probeServer(target: ProbeTarget): Promise<ProbeOutcome> {
  let connection: Connection | undefined;
  try {
    const { database, ...login } = target;
    connection = await mysql.createConnection({ ...login, connectTimeout: 1000 });
    const [rows] = await connection.query<RowDataPacket[]>(
      "SELECT VERSION() AS version, COUNT(*) AS found FROM information_schema.SCHEMATA WHERE SCHEMA_NAME = ?",
      [database],
    );
    // Checking first lets a user without CREATE rights use a database that already exists.
    if (Number(rows[0]?.found) === 0) {
      await connection.query(`CREATE DATABASE \`${database.replaceAll("`", "``")}\` CHARACTER SET utf8mb4`);
    }
    return { version: String(rows[0]?.version) };
  } catch (error) {
    // A server that answers with an SQL error (bad password, no rights) will not get better by waiting.
    const answered =
      typeof (error as { errno?: unknown }).errno === "number" && (error as { errno: number }).errno > 0;
    return { retry: !answered, error: error instanceof Error ? error.message : String(error) };
  } finally {
    connection?.destroy();
  }
}

function startupError(what: string, server: RunningServer | undefined): Error {
  const tail = server?.tail.join("\n") ?? "";
  return new Error(`MySQL server ${what}.${tail ? `\nLast server log lines:\n${tail}` : ""}`);
}
