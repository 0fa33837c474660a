import * as v from "valibot";
import { doc, integer, jsonRecord, named } from "./doc.ts";
import { BackendFailureSchema } from "./errors.ts";

const MAX_VALUE_BYTES = 16 * 1024;
const MAX_FIELDS = 100;
const utf8 = new TextEncoder();

// Unpaired surrogates cannot be stored as UTF-8: Redis would keep U+FFFD instead of what was sent.
const WELL_FORMED = "must be valid Unicode text (no unpaired surrogates)";

const KeySchema = doc(
  v.pipe(
    v.string(),
    v.regex(
      /^[A-Za-z0-9][A-Za-z0-9:._-]{0,127}$/,
      "must start with a letter or digit and use only A-Z a-z 0-9 : . _ -",
    ),
  ),
  { example: "car" },
);

const FieldNameSchema = v.pipe(v.string(), v.minLength(1), v.maxLength(128));

/** `/redis/hashes/{key}` and `/redis/fanout/{key}`. */
export const HashPathSchema = v.object({ key: KeySchema });

/** `/redis/hashes/{key}/fields/{field}`. */
export const FieldPathSchema = v.object({
  key: KeySchema,
  field: doc(FieldNameSchema, { example: "model" }),
});

const FieldValueSchema = v.pipe(
  v.union([
    v.pipe(
      v.string(),
      v.check((value) => value.isWellFormed(), WELL_FORMED),
    ),
    v.number(),
    v.boolean(),
  ]),
  v.check(
    (value) => typeof value !== "string" || utf8.encode(value).length <= MAX_VALUE_BYTES,
    `must be at most ${MAX_VALUE_BYTES} bytes`,
  ),
);

/** A hash as sent: field names 1–128 characters, 1–100 fields, values up to 16 KiB. */
export const HashBodySchema = named(
  "HashBody",
  doc(
    v.pipe(
      jsonRecord(FieldValueSchema, {
        anyOf: [{ type: "string", maxLength: MAX_VALUE_BYTES }, { type: "number" }, { type: "boolean" }],
      }),
      v.check((fields) => Object.keys(fields).length >= 1, "must have at least one field"),
      v.check((fields) => Object.keys(fields).length <= MAX_FIELDS, `must have at most ${MAX_FIELDS} fields`),
      v.rawCheck(function checkFieldNames({ dataset, addIssue }) {
        if (!dataset.typed) return;
        for (const name of Object.keys(dataset.value)) {
          const problem =
            name.length < 1 || name.length > 128
              ? "field names must be 1 to 128 characters"
              : name.isWellFormed()
                ? undefined
                : WELL_FORMED;
          if (problem) {
            const path = [
              { type: "object", origin: "key", input: dataset.value, key: name, value: name },
            ] as const;
            addIssue({ message: problem, path: [...path] });
          }
        }
      }),
    ),
    {
      minProperties: 1,
      maxProperties: MAX_FIELDS,
      example: { make: "Toyota", model: "Corolla", year: 2021 },
    },
  ),
);

export const TtlQuerySchema = v.object({
  ttl: doc(
    v.optional(
      v.pipe(v.string(), v.transform(Number), v.number(), v.integer(), v.minValue(1), v.maxValue(31_536_000)),
    ),
    {
      type: "integer",
      minimum: 1,
      maximum: 31_536_000,
      description: "Seconds until the hash expires; omit to keep it forever.",
    },
  ),
});

/** A hash as stored: every value is the exact string Redis holds. */
export const HashSchema = named(
  "Hash",
  v.object({
    key: v.string(),
    fields: v.record(v.string(), v.string()),
    ttl: doc(v.nullable(integer()), {
      description: "Seconds left, or null when the hash never expires.",
    }),
  }),
);

export const HashFieldSchema = named(
  "HashField",
  v.object({ key: v.string(), field: v.string(), value: v.string() }),
);

export const RedisFanoutSchema = named(
  "RedisFanout",
  v.object({
    key: v.string(),
    instances: v.array(
      v.object({
        name: v.string(),
        ok: v.boolean(),
        fields: doc(v.optional(v.record(v.string(), v.string())), {
          description: "Empty when the hash does not exist in this database (Redis has no empty hashes).",
        }),
        error: v.optional(BackendFailureSchema),
        ms: v.number(),
      }),
    ),
    elapsedMs: v.number(),
    sumMs: v.number(),
  }),
);

export type Hash = v.InferOutput<typeof HashSchema>;
export type RedisFanout = v.InferOutput<typeof RedisFanoutSchema>;
