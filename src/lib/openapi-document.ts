import { type ConversionConfig, toJsonSchema, toJsonSchemaDefs } from "@valibot/to-json-schema";
import type { RouterRoute } from "hono/types";
import type * as v from "valibot";
import { components } from "../schemas/doc.ts";
import { docsOf, type EndpointSpec, type ResponseDoc, type ValidatorDoc } from "./openapi.ts";

type JsonSchema = Record<string, unknown>;

/** What the document says about the API as a whole. */
export interface ApiInfo {
  title: string;
  version: string;
  description: string;
}

/**
 * Builds the OpenAPI 3.1 document from the routes the app really serves: each route's `endpoint(...)` gives its
 * summary and answers, each `validate(...)` its parameters and body, from the same schemas that validate requests.
 * A route without `endpoint` is not an API route (static pages) and stays out of the document.
 *
 * @example
 * ```ts
 * app.get("/openapi.json", (c) => c.json(buildOpenApi(app.routes, { title: "API", version: "1", description: "" })));
 * ```
 */
export function buildOpenApi(routes: readonly RouterRoute[], info: ApiInfo) {
  const definitions = Object.fromEntries(components);
  const config = (io: "input" | "output"): ConversionConfig => ({
    target: "draft-2020-12",
    typeMode: io,
    // Parts JSON Schema cannot say (custom checks, transforms) are documented through `doc()` instead.
    errorMode: "ignore",
    definitions,
    overrideRef: ({ referenceId }) => `#/components/schemas/${referenceId}`,
  });
  const schemas = toJsonSchemaDefs(definitions, config("output")) as Record<string, JsonSchema>;
  const convert: Convert = (schema, io) => {
    const { $schema: _, $defs: __, ...converted } = toJsonSchema(schema, config(io)) as JsonSchema;
    return converted;
  };

  const paths: Record<string, Record<string, JsonSchema>> = {};
  for (const operation of operationsOf(routes)) {
    const path = operation.path.replace(/:(\w+)/g, "{$1}");
    paths[path] ??= {};
    paths[path][operation.method.toLowerCase()] = describeOperation(operation, convert);
  }
  return {
    openapi: "3.1.0",
    info,
    paths,
    components: {
      schemas,
      securitySchemes: { bearer: { type: "http", scheme: "bearer", description: "The API_TOKEN secret." } },
    },
  };
}

interface Operation {
  method: string;
  path: string;
  endpoint: EndpointSpec;
  validators: ValidatorDoc[];
}

function operationsOf(routes: readonly RouterRoute[]): Operation[] {
  const byRoute = new Map<string, Operation>();
  const validatorsByRoute = new Map<string, ValidatorDoc[]>();
  for (const route of routes) {
    if (route.method === "ALL") continue;
    const key = `${route.method} ${route.path}`;
    const { endpoint, validator } = docsOf(route.handler);
    if (endpoint) byRoute.set(key, { method: route.method, path: route.path, endpoint, validators: [] });
    if (validator) validatorsByRoute.set(key, [...(validatorsByRoute.get(key) ?? []), validator]);
  }
  for (const [key, operation] of byRoute) operation.validators = validatorsByRoute.get(key) ?? [];
  return [...byRoute.values()];
}

type Convert = (schema: v.GenericSchema, io: "input" | "output") => JsonSchema;

function describeOperation({ endpoint, validators }: Operation, convert: Convert): JsonSchema {
  const parameters = validators
    .filter((v) => v.target !== "json")
    .flatMap(({ target, schema }) => parametersOf(target === "param" ? "path" : "query", schema, convert));
  const body = validators.find((v) => v.target === "json");
  return {
    tags: endpoint.tags,
    summary: endpoint.summary,
    ...(endpoint.description ? { description: endpoint.description } : {}),
    ...(endpoint.write ? { security: [{ bearer: [] }] } : {}),
    // Which per-client rate budget the route spends (see README "Limits and safety").
    "x-rate-limit": endpoint.rate,
    ...(parameters.length ? { parameters } : {}),
    ...(body
      ? {
          requestBody: {
            required: true,
            content: { "application/json": { schema: convert(body.schema, "input") } },
          },
        }
      : {}),
    responses: Object.fromEntries(
      Object.entries(endpoint.responses).map(([status, doc]) => [
        status,
        responseOf(doc as ResponseDoc, convert),
      ]),
    ),
  };
}

function parametersOf(where: "path" | "query", schema: v.GenericSchema, convert: Convert): JsonSchema[] {
  const object = convert(schema, "input") as { properties?: Record<string, JsonSchema>; required?: string[] };
  return Object.entries(object.properties ?? {}).map(([name, property]) => {
    const { description, ...rest } = property;
    return {
      name,
      in: where,
      required: where === "path" || (object.required ?? []).includes(name),
      ...(description ? { description } : {}),
      schema: rest,
    };
  });
}

function responseOf(doc: ResponseDoc, convert: Convert): JsonSchema {
  if (!doc.content) return { description: doc.description };
  const content = Object.fromEntries(
    Object.entries(doc.content).map(([type, { schema, description }]) => [
      type,
      { schema: { ...convert(schema, "output"), ...(description ? { description } : {}) } },
    ]),
  );
  return { description: doc.description, content };
}
