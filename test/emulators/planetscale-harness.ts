/**
 * Shared set-up for the PlanetScale emulator suites: a private MariaDB in a temp dir (required under CI) and the
 * emulator in front of it, torn down together.
 */
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { DatabaseError } from "@planetscale/database";
import { expect } from "vitest";
import { findMysqlServer, type MysqlBackend, startMariaDb } from "../../emulators/backends/mariadb.ts";
import { type PlanetScaleEmulator, startPlanetScaleEmulator } from "../../emulators/planetscale/server.ts";

/**
 * Whether a suite can run: a server binary is installed, or this is CI (where a missing one must fail the run).
 * Locally, a skipped suite is at least said loudly.
 * @example describe.runIf(mysqlRunnable("planetscale-types"))("PlanetScale emulator with the real driver", ...);
 */
export function mysqlRunnable(suite: string): boolean {
  const runnable = findMysqlServer() !== undefined || process.env.CI === "true";
  if (!runnable) {
    console.warn(
      `\n⚠️  ${suite} tests did NOT run: no mariadbd/mysqld on PATH or in /usr/sbin (apt-get install mariadb-server)\n`,
    );
  }
  return runnable;
}

/**
 * One suite's database and emulator.
 * @example
 * const stack = await startPlanetScale({ tempPrefix: "ps-types-", username: "app", password: "s3cret" });
 * await stack.stop();
 */
export interface PlanetScaleStack {
  db: MysqlBackend;
  emulator: PlanetScaleEmulator;
  /** Closes the emulator, stops the database and deletes its temp dir. */
  stop(): Promise<void>;
}

/**
 * Starts MariaDB in a fresh temp dir named `tempPrefix…` and the emulator (on a free port) with these credentials.
 * If a step fails, what already started is stopped before the error is rethrown.
 * @example
 * beforeAll(async () => {
 *   stack = await startPlanetScale({ tempPrefix: "ps-types-", username: "app", password: "s3cret" });
 * });
 * afterAll(() => stack?.stop());
 */
export async function startPlanetScale(options: {
  tempPrefix: string;
  username: string;
  password: string;
}): Promise<PlanetScaleStack> {
  const dataRoot = fs.mkdtempSync(path.join(os.tmpdir(), options.tempPrefix));
  let db: MysqlBackend | undefined;
  let emulator: PlanetScaleEmulator | undefined;
  const stop = async () => {
    await emulator?.close();
    await db?.stop();
    fs.rmSync(dataRoot, { recursive: true, force: true });
  };
  try {
    db = await startMariaDb({ dataDir: path.join(dataRoot, "mariadb") });
    emulator = await startPlanetScaleEmulator({
      mysqlUrl: db.url,
      username: options.username,
      password: options.password,
      port: 0,
    });
    return { db, emulator, stop };
  } catch (error) {
    await stop();
    throw error;
  }
}

/**
 * The DatabaseError a promise rejects with (fails the test if it resolves or throws something else).
 *
 * @example
 * ```ts
 * expect((await databaseError(conn.execute("selec 1"))).body.code).toBe("INVALID_ARGUMENT");
 * ```
 */
export async function databaseError(promise: Promise<unknown>): Promise<DatabaseError> {
  const error = await promise.then(
    () => undefined,
    (reason: unknown) => reason,
  );
  expect(error).toBeInstanceOf(DatabaseError);
  return error as DatabaseError;
}
