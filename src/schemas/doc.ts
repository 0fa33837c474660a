import * as v from "valibot";

/**
 * What /openapi.json says about a schema besides what its shape gives: a description, an example, or JSON Schema
 * keywords for a shape that validation builds differently (a query integer is parsed from text).
 */
export type SchemaDoc = Record<string, unknown> & { description?: string; example?: unknown };

/** Schemas that appear in /openapi.json under `components.schemas`, by name. */
export const components = new Map<string, v.GenericSchema>();

/**
 * Names a schema: it becomes `components.schemas.<name>` in /openapi.json and is referenced from there.
 *
 * @example
 * ```ts
 * export const CarSchema = named("Car", v.object({ id: v.string() }));
 * ```
 */
export function named<T extends v.GenericSchema>(name: string, schema: T): T {
  components.set(name, schema);
  return schema;
}

/**
 * Documents a schema (a field, a parameter) in /openapi.json: valibot's `metadata` action, which validation skips
 * and the JSON Schema conversion copies key by key.
 *
 * @example
 * ```ts
 * const Ms = doc(v.number(), { description: "Milliseconds.", example: 200 });
 * ```
 */
export function doc<T extends v.GenericSchema>(schema: T, meta: SchemaDoc) {
  return v.pipe(schema, v.metadata<v.InferOutput<T>, SchemaDoc>(meta));
}

/**
 * Any integer (a JSON number, not coerced): the answers' counts, ids and milliseconds.
 *
 * @example
 * ```ts
 * const CountSchema = integer();
 * ```
 */
export function integer() {
  return v.pipe(v.number(), v.integer());
}

/**
 * An integer in `[min, max]` (a JSON number, not coerced).
 *
 * @example
 * ```ts
 * const YearSchema = int(1886, 2100);
 * ```
 */
export function int(min: number, max: number) {
  return v.pipe(integer(), v.minValue(min), v.maxValue(max));
}

/**
 * A query parameter that is an integer in `[min, max]`, `fallback` when absent. Query strings are text, so the
 * value is read as a number first; "1.5" and "x" are refused, not rounded.
 *
 * @example
 * ```ts
 * const TaskQuerySchema = v.object({ tasks: queryInt(1, 20, 2) });
 * ```
 */
export function queryInt(min: number, max: number, fallback: number) {
  // Documented before the transform: the document describes what the client sends.
  const integerText = v.metadata<string, SchemaDoc>({ type: "integer", minimum: min, maximum: max });
  const parsed = v.pipe(v.string(), integerText, v.transform(Number), int(min, max));
  return doc(v.optional(parsed, String(fallback)), { default: fallback });
}

/**
 * A JSON object whose every value passes `value`, keeping every key as sent. (Valibot's `record` drops the keys
 * `constructor` and `prototype` without a word; a hash field may well be called that.)
 *
 * @example
 * ```ts
 * const FieldsSchema = jsonRecord(v.string()); // {"constructor": "x"} stays {"constructor": "x"}
 * ```
 */
export function jsonRecord<T extends v.GenericSchema>(value: T, valuesDoc: SchemaDoc = {}) {
  return v.pipe(
    v.custom<Record<string, v.InferOutput<T>>>(
      (input) => typeof input === "object" && input !== null && !Array.isArray(input),
      "Invalid type: Expected object",
    ),
    v.rawCheck(function checkEntries({ dataset, addIssue }) {
      if (!dataset.typed) return;
      for (const [key, entry] of Object.entries(dataset.value)) {
        const result = v.safeParse(value, entry);
        for (const issue of result.issues ?? []) {
          addIssue({
            message: issue.message,
            path: [
              {
                type: "object",
                origin: "value",
                input: dataset.value,
                key,
                value: entry,
              },
              ...(issue.path ?? []),
            ],
          });
        }
      }
    }),
    v.metadata<Record<string, v.InferOutput<T>>, SchemaDoc>({
      type: "object",
      additionalProperties: valuesDoc,
    }),
  );
}
