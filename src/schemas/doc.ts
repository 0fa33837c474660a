import * as z from "zod/mini";
import en from "zod/v4/locales/en.js";

// zod/mini ships no messages ("Invalid input" for everything); English ones name the rule a value broke,
// which the 400s quote. Only this locale is bundled, not zod's forty. Every schema file imports this module
// (for `named`/`doc`), so the locale is set before any schema parses. Import `zod/mini` itself as a namespace
// in each file and never re-export it: a namespace object that escapes keeps every locale in the bundle.
z.config(en());

/** Schemas that appear in /openapi.json under `components.schemas`, by name. */
export const components = z.registry<{ id: string }>();

/**
 * Names a schema: it becomes `components.schemas.<name>` in /openapi.json and is referenced from there.
 *
 * @example
 * ```ts
 * export const CarSchema = named("Car", z.object({ id: z.string() }));
 * ```
 */
export function named<T extends z.ZodMiniType>(name: string, schema: T): T {
  components.add(schema, { id: name });
  return schema;
}

/** What /openapi.json says about one schema besides its shape. */
export type SchemaDoc = {
  description?: string;
  example?: unknown;
};

/**
 * Documents a schema (a field, a parameter) in /openapi.json; validation is unchanged.
 *
 * @example
 * ```ts
 * const Ms = doc(z.int(), { description: "Milliseconds.", example: 200 });
 * ```
 */
export function doc<T extends z.ZodMiniType>(schema: T, meta: SchemaDoc): T {
  z.globalRegistry.add(schema, meta);
  return schema;
}

/**
 * A query parameter that is an integer in `[min, max]`, `fallback` when absent. Query strings are text, so the
 * value is coerced first; "1.5" and "x" are refused, not rounded.
 *
 * @example
 * ```ts
 * const TasksQuerySchema = z.object({ tasks: queryInt(1, 20, 2) });
 * ```
 */
export function queryInt(min: number, max: number, fallback: number) {
  return z._default(z.coerce.number().check(z.int(), z.minimum(min), z.maximum(max)), fallback);
}

/**
 * An integer in `[min, max]` (a JSON number, not coerced).
 *
 * @example
 * ```ts
 * const Year = int(1886, 2100);
 * ```
 */
export function int(min: number, max: number) {
  return z.int().check(z.minimum(min), z.maximum(max));
}
