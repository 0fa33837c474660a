/**
 * Writes the static assets the Worker serves but does not bundle: public/openapi.json, built from the routes'
 * own schemas. Wrangler runs this before `wrangler dev` and `wrangler deploy` (`[build]` in wrangler.toml); the
 * tests' global setup runs it too.
 */
import { mkdirSync, writeFileSync } from "node:fs";
import { dirname, resolve } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";

const projectDir = resolve(dirname(fileURLToPath(import.meta.url)), "..");

/**
 * Builds and writes every generated asset; returns the files written.
 *
 * @example
 * ```ts
 * await buildAssets(); // ["/…/public/openapi.json"]
 * ```
 */
export async function buildAssets(): Promise<string[]> {
  // Loaded by URL so the Node type-check does not pull the Worker's sources (and their Workers types) in.
  const source: unknown = await import(pathToFileURL(resolve(projectDir, "src/openapi.ts")).href);
  const { openApiDocument } = source as { openApiDocument: () => unknown };
  const target = resolve(projectDir, "public/openapi.json");
  mkdirSync(dirname(target), { recursive: true });
  writeFileSync(target, `${JSON.stringify(openApiDocument(), null, 2)}\n`);
  return [target];
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? "").href) {
  for (const file of await buildAssets()) console.log(`wrote ${file}`);
}
