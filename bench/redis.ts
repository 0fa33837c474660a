/**
 * The Upstash-compatible endpoint measured alone against Redis itself: the same HGETALL and HSET as a fixed HTTP
 * request from wrk (bench/http-load.ts) → endpoint → redis-server, and from `redis-benchmark` straight to
 * redis-server over RESP. Both generators are C programs outside Node; the ratio is the cost of the HTTP hop.
 */
import { execFile } from "node:child_process";
import { promisify } from "node:util";
import { type HttpLoadPlan, loadHttp, medianRound } from "./http-load.ts";
import type { Comparison, LoadResult } from "./load.ts";

/** Where the two paths lead. */
export interface RedisTarget {
  upstashUrl: string;
  token: string;
  /** redis://127.0.0.1:port of the redis-server behind the endpoint. */
  redisUrl: string;
}

// The tutorial's hash: three short fields, as `PUT /redis/hashes/car` stores them.
const HSET = ["hset", "bench:car", "make", "Toyota", "model", "Corolla", "year", "2021"];
const HGETALL = ["hgetall", "bench:car"];
/** redis-benchmark takes a request count, not a duration: this many a second is a generous guess for one core. */
const EXPECTED_RPS = 40_000;

const run = promisify(execFile);

/**
 * Measures HSET (first, so the hash exists) and HGETALL both ways at each number of connections.
 *
 * @example
 * ```ts
 * const rows = await benchRedis({ upstashUrl, token, redisUrl }, [1, 16, 64], plan);
 * ```
 */
export async function benchRedis(
  target: RedisTarget,
  connections: number[],
  plan: HttpLoadPlan,
): Promise<Comparison[]> {
  const rows: Comparison[] = [];
  for (const command of [HSET, HGETALL]) {
    for (const concurrency of connections) {
      // The defaults of @upstash/redis: base64 answers, so the endpoint does the encoding a real client asks for.
      const request = {
        url: `${target.upstashUrl}/`,
        headers: {
          authorization: `Bearer ${target.token}`,
          "content-type": "application/json",
          "upstash-encoding": "base64",
        },
        body: JSON.stringify(command),
      };
      rows.push(
        await medianRound(
          command[0]!.toUpperCase(),
          concurrency,
          plan.rounds,
          () => loadHttp(request, concurrency, plan),
          () => redisBenchmark(target.redisUrl, command, concurrency, plan),
        ),
      );
    }
  }
  return rows;
}

/** redis-benchmark with `concurrency` connections and no pipelining, read from its CSV line. */
async function redisBenchmark(
  redisUrl: string,
  command: string[],
  concurrency: number,
  plan: HttpLoadPlan,
): Promise<LoadResult> {
  const { hostname, port } = new URL(redisUrl);
  const requests = Math.max(1000, Math.round((EXPECTED_RPS * plan.durationMs) / 1000));
  const args = [
    "-h",
    hostname,
    "-p",
    port,
    "-c",
    String(concurrency),
    "-n",
    String(requests),
    "--csv",
    ...command,
  ];
  const { stdout } = await run("redis-benchmark", args, { signal: plan.signal });
  // "test","rps","avg_latency_ms","min_latency_ms","p50_latency_ms","p95_latency_ms","p99_latency_ms","max_latency_ms"
  const row = stdout
    .trim()
    .split("\n")
    .at(-1)
    ?.split(",")
    .map((cell) => cell.replaceAll('"', ""));
  const rps = Number(row?.[1]);
  if (!row || !Number.isFinite(rps)) throw new Error(`redis-benchmark printed no result:\n${stdout}`);
  return {
    concurrency,
    requests,
    errors: 0,
    seconds: requests / rps,
    rps,
    p50Ms: Number(row[4]),
    p99Ms: Number(row[6]),
  };
}
