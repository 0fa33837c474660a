import { describe, expect, it } from "vitest";
import contract from "../../docs/API.md?raw";
import { call } from "./support.ts";

interface OpenApiDocument {
  paths: Record<string, Record<string, { responses: Record<string, unknown> }>>;
}

// Every route may answer these, so docs/API.md says so once instead of on every row.
const everywhere = new Set(["429", "500"]);

/** `GET /sql/cars/{id}` → the statuses its row lists in docs/API.md. */
function documentedRoutes(markdown: string): Map<string, string[]> {
  const routes = new Map<string, string[]>();
  for (const line of markdown.split("\n")) {
    const row = /^\| `(GET|POST|PUT|PATCH|DELETE) (\/[^`]*)` \|.*\| ([^|]*) \|$/.exec(line);
    if (!row) continue;
    const statuses = [...(row[3] ?? "").matchAll(/\b[1-5]\d\d\b/g)].map((match) => match[0]);
    routes.set(`${row[1]} ${row[2]}`, [...new Set(statuses)].sort());
  }
  return routes;
}

describe("docs/API.md", () => {
  it("lists exactly the routes /openapi.json documents, each with the statuses it can answer", async () => {
    const document = (await (await call("/openapi.json")).json()) as OpenApiDocument;
    const served = new Map<string, string[]>();
    for (const [path, operations] of Object.entries(document.paths)) {
      for (const [method, operation] of Object.entries(operations)) {
        const statuses = Object.keys(operation.responses).filter((status) => !everywhere.has(status));
        served.set(`${method.toUpperCase()} ${path}`, statuses.sort());
      }
    }
    expect(Object.fromEntries(documentedRoutes(contract))).toEqual(Object.fromEntries(served));
  });
});
