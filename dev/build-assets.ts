/**
 * Writes the static assets the Worker serves but does not bundle: public/openapi.json, built from the routes'
 * own schemas, and the API reference UI /docs loads (the pinned @scalar/api-reference bundle, copied from
 * node_modules so no request leaves the origin). Wrangler runs this before `wrangler dev` and `wrangler deploy`
 * (`[build]` in wrangler.toml); the tests' global setup runs it too.
 */
import { copyFileSync, mkdirSync, writeFileSync } from "node:fs";
import { dirname, resolve } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";

const projectDir = resolve(dirname(fileURLToPath(import.meta.url)), "..");

/**
 * Builds and writes every generated asset; returns the files written.
 *
 * @example
 * ```ts
 * await buildAssets(); // ["/…/public/openapi.json", "/…/public/vendor/scalar-api-reference.js"]
 * ```
 */
export async function buildAssets(): Promise<string[]> {
  // Loaded by URL so the Node type-check does not pull the Worker's sources (and their Workers types) in.
  const source: unknown = await import(pathToFileURL(resolve(projectDir, "src/openapi.ts")).href);
  const { openApiDocument } = source as { openApiDocument: () => unknown };
  const target = resolve(projectDir, "public/openapi.json");
  mkdirSync(dirname(target), { recursive: true });
  writeFileSync(target, `${JSON.stringify(openApiDocument(), null, 2)}\n`);
  const ui = resolve(projectDir, "public/vendor/scalar-api-reference.js");
  mkdirSync(dirname(ui), { recursive: true });
  // The package exports no path to its browser bundle, so it is read from the project's own install.
  copyFileSync(resolve(projectDir, "node_modules/@scalar/api-reference/dist/browser/standalone.js"), ui);
  return [target, ui];
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? "").href) {
  for (const file of await buildAssets()) console.log(`wrote ${file}`);
}
