import * as v from "valibot";
import { doc, integer, named, queryInt } from "./doc.ts";

export const DelayQuerySchema = v.object({ ms: queryInt(0, 10_000, 1000) });

export const DelaySchema = v.object({ ms: integer() });

export const SyncSchema = v.object({ mode: v.literal("sync"), at: v.string() });

export const TaskQuerySchema = v.object({
  tasks: doc(queryInt(1, 20, 2), { example: 2 }),
  ms: doc(queryInt(0, 5000, 1000), { example: 1000 }),
});

const StepSchema = v.object({ i: integer(), startMs: v.number(), endMs: v.number() });

export const TimingRunSchema = named(
  "TimingRun",
  v.object({
    mode: v.picklist(["sequential", "concurrent"]),
    tasks: integer(),
    ms: integer(),
    elapsedMs: v.number(),
    idealMs: v.number(),
    steps: v.array(StepSchema),
  }),
);

export const TimingCompareSchema = named(
  "TimingCompare",
  v.object({
    tasks: integer(),
    ms: integer(),
    sequentialMs: v.number(),
    concurrentMs: v.number(),
    speedup: v.number(),
    sequential: v.array(StepSchema),
    concurrent: v.array(StepSchema),
  }),
);

export type TimingRun = v.InferOutput<typeof TimingRunSchema>;
export type TimingCompare = v.InferOutput<typeof TimingCompareSchema>;
