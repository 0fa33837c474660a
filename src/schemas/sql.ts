import * as z from "zod/mini";
import { doc, int, named, queryInt } from "./doc.ts";
import { BackendFailureSchema } from "./errors.ts";

const MAX_SPECS_BYTES = 8 * 1024;
// MariaDB's JSON check allows 32 levels (MySQL 8: 100); the stricter one keeps every backend answering alike.
const MAX_SPECS_DEPTH = 32;

// Unpaired surrogates cannot be stored as UTF-8: the database would keep U+FFFD instead of what was sent.
const wellFormed = { message: "must be valid Unicode text (no unpaired surrogates)" };

function depthOf(value: unknown): number {
  if (typeof value !== "object" || value === null) return 0;
  return 1 + Math.max(0, ...Object.values(value).map(depthOf));
}

/** `/sql/cars/{id}`. */
export const CarPathSchema = z.object({
  id: doc(z.string().check(z.regex(/^[1-9]\d{0,18}$/, "must be a positive integer id")), { example: "1" }),
});

// VARCHAR(64) text that stores as sent.
const name64 = (example: string) =>
  doc(
    z.string().check(
      z.minLength(1),
      z.maxLength(64),
      z.refine((text) => text.isWellFormed(), wellFormed),
    ),
    { example },
  );
const MakeSchema = name64("Toyota");
const ModelSchema = name64("Corolla");
const YearSchema = doc(int(1886, 2100), { example: 2021 });
const PriceSchema = doc(
  z
    .string()
    .check(
      z.regex(
        /^\d{1,8}(\.\d{1,2})?$/,
        'must be a decimal string with at most 8 digits and 2 decimals, e.g. "18999.00"',
      ),
    ),
  { example: "18999.00" },
);
const SpecsSchema = doc(
  z.nullable(z.record(z.string(), z.unknown())).check(
    z.refine((specs) => new TextEncoder().encode(JSON.stringify(specs)).length <= MAX_SPECS_BYTES, {
      message: `must be at most ${MAX_SPECS_BYTES} bytes of JSON`,
    }),
    z.refine((specs) => depthOf(specs) <= MAX_SPECS_DEPTH, {
      message: `must nest at most ${MAX_SPECS_DEPTH} levels`,
    }),
  ),
  { example: { engine: "1.8L", hp: 139 } },
);

export const NewCarSchema = named(
  "NewCar",
  z.strictObject({
    make: MakeSchema,
    model: ModelSchema,
    year: YearSchema,
    price: PriceSchema,
    specs: z.optional(SpecsSchema),
  }),
);

export const CarPatchSchema = named(
  "CarPatch",
  z.partial(NewCarSchema).check(
    z.refine((patch) => Object.values(patch).some((value) => value !== undefined), {
      message: "must change at least one of make, model, year, price, specs",
    }),
  ),
);

export const CarListQuerySchema = z.object({
  make: z.optional(MakeSchema),
  limit: queryInt(1, 100, 20),
  cursor: doc(
    z.optional(z.string().check(z.regex(/^\d{1,19}$/, "must be a nextCursor value from a previous page"))),
    { description: "The `nextCursor` of the previous page (keyset pagination by id)." },
  ),
});

export const CarSchema = named(
  "Car",
  z.object({
    id: z.string(),
    make: z.string(),
    model: z.string(),
    year: z.int(),
    price: z.string(),
    specs: z.nullable(z.record(z.string(), z.unknown())),
    createdAt: doc(z.string(), { example: "2026-11-21T06:59:00.123Z" }),
  }),
);

export const CarPageSchema = named(
  "CarPage",
  z.object({ items: z.array(CarSchema), nextCursor: z.nullable(z.string()) }),
);

export const CarStatsSchema = named(
  "CarStats",
  z.object({
    byMake: z.array(z.object({ make: z.string(), count: z.int(), avgPrice: z.string() })),
    total: z.int(),
  }),
);

export const SqlFanoutSchema = named(
  "SqlFanout",
  z.object({
    databases: z.array(
      z.object({
        name: z.string(),
        ok: z.boolean(),
        result: z.optional(CarStatsSchema),
        error: z.optional(BackendFailureSchema),
        ms: z.number(),
      }),
    ),
    elapsedMs: z.number(),
    sumMs: z.number(),
  }),
);

/** A car as the API answers it: byte-identical whichever SQL backend stored it. */
export type Car = z.infer<typeof CarSchema>;
/** A new car as validated from a request body. */
export type NewCar = z.infer<typeof NewCarSchema>;
export type CarPatch = z.infer<typeof CarPatchSchema>;
export type CarStats = z.infer<typeof CarStatsSchema>;
export type SqlFanout = z.infer<typeof SqlFanoutSchema>;
