/**
 * The emulators' credential: random per checkout, created on first use and kept in the data dir (gitignored), so
 * no secret is hard-coded and clients configured once keep working across runs.
 */
import { randomBytes } from "node:crypto";
import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";

/**
 * Reads `<dataDir>/local-token`, creating it (mode 0600) when missing.
 *
 * @example
 * ```ts
 * const token = localToken(".data"); // "q3J9...", the same on every later call
 * ```
 */
export function localToken(dataDir: string): string {
  const file = join(dataDir, "local-token");
  mkdirSync(dataDir, { recursive: true });
  try {
    // "wx" fails when the file exists, so two CLIs starting at once cannot overwrite each other's token.
    writeFileSync(file, `${randomBytes(24).toString("base64url")}\n`, { flag: "wx", mode: 0o600 });
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== "EEXIST") throw error;
  }
  return readFileSync(file, "utf8").trim();
}
