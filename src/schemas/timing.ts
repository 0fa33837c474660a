import * as z from "zod/mini";
import { doc, named, queryInt } from "./doc.ts";

export const DelayQuerySchema = z.object({ ms: queryInt(0, 10_000, 1000) });

export const DelaySchema = z.object({ ms: z.int() });

export const SyncSchema = z.object({ mode: z.literal("sync"), at: z.string() });

export const TaskQuerySchema = z.object({
  tasks: doc(queryInt(1, 20, 2), { example: 2 }),
  ms: doc(queryInt(0, 5000, 1000), { example: 1000 }),
});

const StepSchema = z.object({ i: z.int(), startMs: z.number(), endMs: z.number() });

export const TimingRunSchema = named(
  "TimingRun",
  z.object({
    mode: z.enum(["sequential", "concurrent"]),
    tasks: z.int(),
    ms: z.int(),
    elapsedMs: z.number(),
    idealMs: z.number(),
    steps: z.array(StepSchema),
  }),
);

export const TimingCompareSchema = named(
  "TimingCompare",
  z.object({
    tasks: z.int(),
    ms: z.int(),
    sequentialMs: z.number(),
    concurrentMs: z.number(),
    speedup: z.number(),
    sequential: z.array(StepSchema),
    concurrent: z.array(StepSchema),
  }),
);

export type TimingRun = z.infer<typeof TimingRunSchema>;
export type TimingCompare = z.infer<typeof TimingCompareSchema>;
