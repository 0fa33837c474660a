/**
 * The Upstash-compatible endpoint against plain Redis: the same HSET and HGETALL through `@upstash/redis` →
 * endpoint → redis-server, and through ioredis straight to redis-server over RESP. The ratio is the cost of HTTP.
 */
import { Redis as UpstashRedis } from "@upstash/redis";
import { Redis as IoRedis } from "ioredis";
import { type Comparison, compareOperations, type LoadPlan } from "./load.ts";

/** Where the two paths lead. */
export interface RedisTarget {
  upstashUrl: string;
  token: string;
  /** redis://127.0.0.1:port of the redis-server behind the endpoint. */
  redisUrl: string;
}

// The tutorial's hash: three short fields, as `PUT /redis/hashes/car` stores them.
const KEY = "bench:car";
const FIELDS = { make: "Toyota", model: "Corolla", year: "2021" };

/**
 * Measures HSET and HGETALL both ways at each concurrency. A "client" is one connection with one call in flight
 * on either side: its own ioredis connection, or its own `@upstash/redis` client (each in-flight fetch gets its
 * own keep-alive socket), so 16 clients means 16 sockets both ways.
 *
 * @example
 * ```ts
 * const rows = await benchRedis({ upstashUrl, token, redisUrl }, [1, 16, 64], plan);
 * ```
 */
export async function benchRedis(
  target: RedisTarget,
  concurrencies: number[],
  plan: LoadPlan,
): Promise<Comparison[]> {
  const clients = Math.max(...concurrencies);
  const viaHttp = Array.from(
    { length: clients },
    // The defaults a user gets (base64 responses, automatic deserialisation), minus telemetry and retries,
    // which would hide failures behind back-off.
    () =>
      new UpstashRedis({ url: target.upstashUrl, token: target.token, enableTelemetry: false, retry: false }),
  );
  const viaResp = Array.from(
    { length: clients },
    () => new IoRedis(target.redisUrl, { maxRetriesPerRequest: 0 }),
  );
  try {
    await Promise.all(viaResp.map((client) => client.ping()));
    return await compareOperations(
      [
        {
          name: "HSET",
          endpoint: (i) => viaHttp[i]!.hset(KEY, FIELDS),
          direct: (i) => viaResp[i]!.hset(KEY, FIELDS),
        },
        {
          name: "HGETALL",
          endpoint: (i) => viaHttp[i]!.hgetall(KEY),
          direct: (i) => viaResp[i]!.hgetall(KEY),
        },
      ],
      concurrencies,
      plan,
    );
  } finally {
    for (const client of viaResp) client.disconnect();
  }
}
