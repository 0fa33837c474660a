/**
 * A closed-loop load runner for in-process client calls: `concurrency` callers, each starting its next call as soon
 * as its previous one settles, first for a warm-up (not recorded), then for a measured window. Closed loop on
 * purpose: the question is how many calls a client library plus its server sustain, not how they queue under an
 * arrival rate they cannot keep up with.
 */

/** What one measured window saw. Latencies are of successful calls only. */
export interface LoadResult {
  concurrency: number;
  /** Calls that succeeded inside the measured window. */
  requests: number;
  errors: number;
  /** The first failure's message, so a run with errors says why. */
  firstError?: string;
  seconds: number;
  rps: number;
  p50Ms: number;
  p99Ms: number;
}

/** How long to load, and how hard. */
export interface LoadPlan {
  durationMs: number;
  warmupMs: number;
  signal: AbortSignal;
}

/** One operation done two ways: through the HTTP endpoint, and the way a user would without it. */
export interface Operation {
  name: string;
  endpoint: (client: number) => Promise<unknown>;
  direct: (client: number) => Promise<unknown>;
}

/** One operation at one concurrency, both ways, measured back to back. */
export interface Comparison {
  operation: string;
  concurrency: number;
  endpoint: LoadResult;
  direct: LoadResult;
  /** direct rps / endpoint rps: how many times more calls a second the direct path sustains. */
  ratio: number;
}

/**
 * Runs `call(client)` from `concurrency` callers (client = 0..concurrency-1, so each caller can own a connection).
 *
 * @example
 * ```ts
 * const result = await runLoad((i) => clients[i]!.ping(), 16, { durationMs: 3000, warmupMs: 500, signal });
 * console.log(result.rps, result.p99Ms);
 * ```
 */
export async function runLoad(
  call: (client: number) => Promise<unknown>,
  concurrency: number,
  plan: LoadPlan,
): Promise<LoadResult> {
  await drive(call, concurrency, plan.warmupMs, plan.signal);
  const latencies: number[] = [];
  const failures: unknown[] = [];
  const started = performance.now();
  await drive(call, concurrency, plan.durationMs, plan.signal, { latencies, failures });
  // The window ends when the last caller's last call settles, not at the deadline: those calls count.
  const seconds = (performance.now() - started) / 1000;
  plan.signal.throwIfAborted();
  latencies.sort((a, b) => a - b);
  const result: LoadResult = {
    concurrency,
    requests: latencies.length,
    errors: failures.length,
    seconds,
    rps: latencies.length / seconds,
    p50Ms: percentile(latencies, 50),
    p99Ms: percentile(latencies, 99),
  };
  if (failures.length) result.firstError = describe(failures[0]);
  return result;
}

/**
 * Measures every operation at every concurrency, the endpoint first and the direct path right after, so both
 * halves of a ratio see the same background load on a shared machine.
 *
 * @example
 * ```ts
 * const rows = await compareOperations([{ name: "GET", endpoint: viaHttp, direct: viaResp }], [1, 16], plan);
 * rows[0]?.ratio; // e.g. 4.2: the direct path does 4.2 times the calls a second
 * ```
 */
export async function compareOperations(
  operations: Operation[],
  concurrencies: number[],
  plan: LoadPlan,
): Promise<Comparison[]> {
  const rows: Comparison[] = [];
  for (const operation of operations) {
    for (const concurrency of concurrencies) {
      const endpoint = await runLoad(operation.endpoint, concurrency, plan);
      const direct = await runLoad(operation.direct, concurrency, plan);
      const ratio = endpoint.rps > 0 ? direct.rps / endpoint.rps : Number.POSITIVE_INFINITY;
      rows.push({ operation: operation.name, concurrency, endpoint, direct, ratio });
    }
  }
  return rows;
}

/**
 * Nearest-rank percentile of ascending `sorted` values; 0 for none.
 *
 * @example
 * ```ts
 * percentile([1, 2, 3, 4], 50); // 2
 * ```
 */
export function percentile(sorted: number[], p: number): number {
  if (sorted.length === 0) return 0;
  const rank = Math.min(sorted.length, Math.max(1, Math.ceil((p / 100) * sorted.length)));
  return sorted[rank - 1] ?? 0;
}

/**
 * The median of `values` (in any order); 0 for none.
 *
 * @example
 * ```ts
 * median([310, 205, 207]); // 207
 * ```
 */
export function median(values: number[]): number {
  return percentile(
    [...values].sort((a, b) => a - b),
    50,
  );
}

interface Tally {
  latencies: number[];
  failures: unknown[];
}

async function drive(
  call: (client: number) => Promise<unknown>,
  concurrency: number,
  durationMs: number,
  signal: AbortSignal,
  tally?: Tally,
): Promise<void> {
  const deadline = performance.now() + durationMs;
  async function caller(client: number): Promise<void> {
    while (performance.now() < deadline && !signal.aborted) {
      const started = performance.now();
      try {
        await call(client);
        tally?.latencies.push(performance.now() - started);
      } catch (error) {
        tally?.failures.push(error);
      }
    }
  }
  await Promise.all(Array.from({ length: concurrency }, (_, client) => caller(client)));
}

function describe(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
