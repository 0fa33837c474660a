import * as v from "valibot";
import { doc, int, integer, jsonRecord, named, queryInt } from "./doc.ts";
import { BackendFailureSchema } from "./errors.ts";

const MAX_SPECS_BYTES = 8 * 1024;
// MariaDB's JSON check allows 32 levels (MySQL 8: 100); the stricter one keeps every backend answering alike.
const MAX_SPECS_DEPTH = 32;

// Unpaired surrogates cannot be stored as UTF-8: the database would keep U+FFFD instead of what was sent.
const WELL_FORMED = "must be valid Unicode text (no unpaired surrogates)";

function depthOf(value: unknown): number {
  if (typeof value !== "object" || value === null) return 0;
  return 1 + Math.max(0, ...Object.values(value).map(depthOf));
}

/** `/sql/cars/{id}`. */
export const CarPathSchema = v.object({
  id: doc(v.pipe(v.string(), v.regex(/^[1-9]\d{0,18}$/, "must be a positive integer id")), { example: "1" }),
});

// VARCHAR(64) text that stores as sent.
const name64 = (example: string) =>
  doc(
    v.pipe(
      v.string(),
      v.minLength(1),
      v.maxLength(64),
      v.check((text) => text.isWellFormed(), WELL_FORMED),
    ),
    { example },
  );
const MakeSchema = name64("Toyota");
const ModelSchema = name64("Corolla");
const YearSchema = doc(int(1886, 2100), { example: 2021 });
const PriceSchema = doc(
  v.pipe(
    v.string(),
    v.regex(
      /^\d{1,8}(\.\d{1,2})?$/,
      'must be a decimal string with at most 8 digits and 2 decimals, e.g. "18999.00"',
    ),
  ),
  { example: "18999.00" },
);
const SpecsSchema = doc(
  v.nullable(
    v.pipe(
      jsonRecord(v.unknown()),
      v.check(
        (specs) => new TextEncoder().encode(JSON.stringify(specs)).length <= MAX_SPECS_BYTES,
        `must be at most ${MAX_SPECS_BYTES} bytes of JSON`,
      ),
      v.check((specs) => depthOf(specs) <= MAX_SPECS_DEPTH, `must nest at most ${MAX_SPECS_DEPTH} levels`),
    ),
  ),
  { example: { engine: "1.8L", hp: 139 } },
);

const carFields = { make: MakeSchema, model: ModelSchema, year: YearSchema, price: PriceSchema };

export const NewCarSchema = named("NewCar", v.strictObject({ ...carFields, specs: v.optional(SpecsSchema) }));

export const CarPatchSchema = named(
  "CarPatch",
  v.pipe(
    v.strictObject({
      make: v.optional(MakeSchema),
      model: v.optional(ModelSchema),
      year: v.optional(YearSchema),
      price: v.optional(PriceSchema),
      specs: v.optional(SpecsSchema),
    }),
    v.check(
      (patch) => Object.values(patch).some((value) => value !== undefined),
      "must change at least one of make, model, year, price, specs",
    ),
  ),
);

export const CarListQuerySchema = v.object({
  make: v.optional(MakeSchema),
  limit: queryInt(1, 100, 20),
  cursor: doc(
    v.optional(v.pipe(v.string(), v.regex(/^\d{1,19}$/, "must be a nextCursor value from a previous page"))),
    {
      description: "The `nextCursor` of the previous page (keyset pagination by id).",
    },
  ),
});

export const CarSchema = named(
  "Car",
  v.object({
    id: v.string(),
    make: v.string(),
    model: v.string(),
    year: integer(),
    price: v.string(),
    specs: v.nullable(v.record(v.string(), v.unknown())),
    createdAt: doc(v.string(), { example: "2026-11-21T06:59:00.123Z" }),
  }),
);

export const CarPageSchema = named(
  "CarPage",
  v.object({ items: v.array(CarSchema), nextCursor: v.nullable(v.string()) }),
);

export const CarStatsSchema = named(
  "CarStats",
  v.object({
    byMake: v.array(v.object({ make: v.string(), count: integer(), avgPrice: v.string() })),
    total: integer(),
  }),
);

export const SqlFanoutSchema = named(
  "SqlFanout",
  v.object({
    databases: v.array(
      v.object({
        name: v.string(),
        ok: v.boolean(),
        result: v.optional(CarStatsSchema),
        error: v.optional(BackendFailureSchema),
        ms: v.number(),
      }),
    ),
    elapsedMs: v.number(),
    sumMs: v.number(),
  }),
);

/** A car as the API answers it: byte-identical whichever SQL backend stored it. */
export type Car = v.InferOutput<typeof CarSchema>;
/** A new car as validated from a request body. */
export type NewCar = v.InferOutput<typeof NewCarSchema>;
export type CarPatch = v.InferOutput<typeof CarPatchSchema>;
export type CarStats = v.InferOutput<typeof CarStatsSchema>;
export type SqlFanout = v.InferOutput<typeof SqlFanoutSchema>;
