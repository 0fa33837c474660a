import type { MiddlewareHandler } from "hono";
import { every } from "hono/combine";
import type { ContentfulStatusCode, StatusCode } from "hono/utils/http-status";
import { validator } from "hono/validator";
import * as v from "valibot";
import type { AppEnv } from "../env.ts";
import { limitBody } from "../middleware/body-limit.ts";
import { limitRate, type RateClass } from "../middleware/rate-limit.ts";
import { requireWriteToken } from "../middleware/write-auth.ts";
import { ErrorSchema } from "../schemas/errors.ts";
import { ApiError, errorStatus } from "./errors.ts";

/** One documented answer of a route: a description, and a schema per media type it can be sent as. */
export interface ResponseDoc {
  description: string;
  content?: Record<string, { schema: v.GenericSchema; description?: string }>;
}

/** Everything a route declares about itself besides its handler. */
export interface EndpointSpec {
  tags: string[];
  summary: string;
  description?: string;
  /** A write: needs `Authorization: Bearer <API_TOKEN>` (and a configured token in production). */
  write?: boolean;
  /** Which rate budget the route spends; writes default to `write`, everything else to `read`. */
  rate?: RateClass;
  /** The largest request body accepted, in bytes (413 above it). */
  maxBodyBytes?: number;
  responses: Partial<Record<StatusCode, ResponseDoc>>;
}

/** Where a validator reads from, and the schema it applies (the OpenAPI builder reads these back). */
export interface ValidatorDoc {
  target: ValidatedTarget;
  schema: v.GenericSchema;
}

type ValidatedTarget = "query" | "param" | "json";

const endpointDocs = new WeakMap<object, EndpointSpec>();
const validatorDocs = new WeakMap<object, ValidatorDoc>();

/**
 * Declares a route: what /openapi.json says about it, the rate budget it spends, and the guards a write needs.
 * Goes first in the route's handlers, so an unknown path or method answers 404/405 before anything is asked.
 *
 * @example
 * ```ts
 * new Hono<AppEnv>().get("/sync", endpoint({ tags: ["Async vs sync"], summary: "No I/O", responses: {} }), (c) =>
 *   c.json({ ok: true }),
 * );
 * ```
 */
export function endpoint(spec: EndpointSpec): MiddlewareHandler<AppEnv> {
  const rate = spec.rate ?? (spec.write ? "write" : "read");
  const guards: MiddlewareHandler<AppEnv>[] = [limitRate(rate)];
  if (spec.write) guards.push(requireWriteToken());
  if (spec.maxBodyBytes) guards.push(limitBody(spec.maxBodyBytes));
  const declared: MiddlewareHandler<AppEnv> = every(...guards);
  endpointDocs.set(declared, { ...spec, rate });
  return declared;
}

// The media types Hono's validator parses as JSON: application/json and application/*+json.
const JSON_TYPE = /^application\/([\w.-]+\+)?json$/i;

const targetNames: Record<ValidatedTarget, string> = {
  query: "Query parameter",
  param: "Path parameter",
  json: "Body field",
};

/**
 * Validates one part of the request with a schema; a failure is a 400 `invalid_request` whose message names the
 * field and the rule. The handler reads the parsed value with `c.req.valid(target)`.
 *
 * @example
 * ```ts
 * new Hono<AppEnv>().get("/delay", validate("query", DelayQuerySchema), (c) => c.json(c.req.valid("query")));
 * ```
 */
export function validate<T extends ValidatedTarget, S extends v.GenericSchema>(target: T, schema: S) {
  const middleware = validator(target, function parse(value, c): v.InferOutput<S> {
    if (target === "json") {
      // Hono's validator reads only JSON bodies and hands anything else over as `{}`; say why instead.
      if (!JSON_TYPE.test(c.req.header("content-type")?.split(";")[0]?.trim() ?? "")) {
        throw new ApiError(
          "unsupported_media_type",
          "Send the body as JSON with `content-type: application/json`.",
        );
      }
      refuseReservedKeys(value);
    }
    const result = v.safeParse(schema, value);
    if (!result.success) throw validationError(result.issues[0], target);
    return result.output;
  });
  validatorDocs.set(middleware, { target, schema });
  return middleware;
}

/**
 * What `endpoint` and `validate` recorded about a handler, for the OpenAPI builder.
 *
 * @example
 * ```ts
 * for (const route of app.routes) console.log(route.path, docsOf(route.handler).endpoint?.summary);
 * ```
 */
export function docsOf(handler: object): { endpoint?: EndpointSpec; validator?: ValidatorDoc } {
  return { endpoint: endpointDocs.get(handler), validator: validatorDocs.get(handler) };
}

// The first issue as one sentence naming the field: "Query parameter `ms`: invalid value: Expected <=10000 but
// received 20000."
function validationError(issue: v.GenericIssue, target: ValidatedTarget): ApiError {
  const where = targetNames[target];
  const field = (issue.path ?? []).map((item) => String(item.key)).join(".");
  const detail = issue.message.charAt(0).toLowerCase() + issue.message.slice(1);
  const subject = field ? `${where} \`${field}\`` : target === "json" ? "Request body" : where;
  return new ApiError("invalid_request", `${subject}: ${detail.replace(/\.$/, "")}.`, { cause: issue });
}

/**
 * Refuses a `__proto__` key anywhere in a JSON body. Schemas drop that key without a word (it cannot be set on a
 * plain object safely), and silently losing what a client sent is worse than refusing it.
 */
function refuseReservedKeys(value: unknown, path: string[] = []): void {
  if (typeof value !== "object" || value === null) return;
  if (!Array.isArray(value) && Object.hasOwn(value, "__proto__")) {
    const field = [...path, "__proto__"].join(".");
    throw new ApiError("invalid_request", `Body field \`${field}\`: is a reserved name.`);
  }
  for (const [key, child] of Object.entries(value)) refuseReservedKeys(child, [...path, key]);
}

/**
 * An OpenAPI response entry whose body is JSON of `schema`.
 *
 * @example
 * ```ts
 * const responses = { 200: jsonResponse(CarSchema, "The car"), ...errorResponses(404) };
 * ```
 */
export function jsonResponse(schema: v.GenericSchema, description: string): ResponseDoc {
  return { description, content: { "application/json": { schema } } };
}

/**
 * OpenAPI response entries for the error statuses a route can answer, plus the two every route can:
 * 429 (rate limits apply everywhere) and 500.
 *
 * @example
 * ```ts
 * const responses = { 200: jsonResponse(CarSchema, "The car"), ...errorResponses(400, 404) };
 * ```
 */
export function errorResponses(...statuses: ContentfulStatusCode[]): Record<number, ResponseDoc> {
  return Object.fromEntries(
    [...new Set([...statuses, 429, 500])].map((status) => [
      status,
      jsonResponse(ErrorSchema, describeStatus(status)),
    ]),
  );
}

function describeStatus(status: number): string {
  const codes = Object.entries(errorStatus).filter(([, s]) => s === status);
  return codes.map(([code]) => code).join(" / ") || "error";
}
