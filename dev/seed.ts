/**
 * A small, idempotent seed so every curl in the startup table answers something on a fresh checkout: the
 * tutorial's `car` hash in Redis and a few cars in SQL (inserted only while the table is empty).
 */
import { connect } from "@planetscale/database";
import { Redis } from "@upstash/redis";

/** The aioredis tutorial's hash: `HSET car make Toyota model Corolla year 2021`. */
const SEED_HASH = { key: "car", fields: { make: "Toyota", model: "Corolla", year: "2021" } };

/** Cars in the shape of `POST /sql/cars`. */
const SEED_CARS = [
  { make: "Toyota", model: "Corolla", year: 2021, price: "18999.00", specs: { engine: "1.8L I4" } },
  { make: "Honda", model: "Civic", year: 2020, price: "17500.00" },
  { make: "Ford", model: "Mustang", year: 1967, price: "45000.00", specs: { engine: "4.7L V8" } },
  { make: "Tesla", model: "Model 3", year: 2023, price: "38990.00", specs: { rangeKm: 513 } },
];

/**
 * Writes the `car` hash through the Upstash-compatible endpoint with the official client (HSET only overwrites
 * those three fields, so running it again changes nothing).
 *
 * @example
 * ```ts
 * await seedRedis("http://127.0.0.1:8079", token);
 * ```
 */
export async function seedRedis(url: string, token: string): Promise<void> {
  const redis = new Redis({ url, token, enableTelemetry: false, retry: false });
  await redis.hset(SEED_HASH.key, SEED_HASH.fields);
}

/**
 * Inserts SEED_CARS through the PlanetScale-compatible endpoint in one statement that does nothing once the table
 * holds any row, so user data is never mixed with a second copy of the seed.
 *
 * @example
 * ```ts
 * await seedMysql("http://dev:token@127.0.0.1:3900"); // 4, then 0 on every later run
 * ```
 */
export async function seedMysql(databaseUrl: string): Promise<number> {
  const rows = SEED_CARS.map(() => "SELECT ? AS make, ? AS model, ? AS year, ? AS price, ? AS specs").join(
    " UNION ALL ",
  );
  const params = SEED_CARS.flatMap((car) => [
    car.make,
    car.model,
    car.year,
    car.price,
    car.specs ? JSON.stringify(car.specs) : null,
  ]);
  const result = await connect({ url: databaseUrl }).execute(
    `INSERT INTO cars (make, model, year, price, specs) SELECT seed.* FROM (${rows}) AS seed WHERE NOT EXISTS (SELECT 1 FROM cars)`,
    params,
  );
  return result.rowsAffected;
}

/**
 * Seeds D1 through the Worker's own API (D1 lives inside `wrangler dev`, and the API already knows how cars are
 * stored there), only when `GET /sql/cars` is empty.
 *
 * @example
 * ```ts
 * await seedThroughWorker("http://127.0.0.1:8787", process.env.API_TOKEN);
 * ```
 */
export async function seedThroughWorker(workerUrl: string, apiToken: string | undefined): Promise<number> {
  const existing = await fetch(`${workerUrl}/sql/cars?limit=1`);
  const page = (await expectOk(existing, "GET /sql/cars")) as { items: unknown[] };
  if (page.items.length > 0) return 0;
  const headers: Record<string, string> = { "content-type": "application/json" };
  if (apiToken) headers.authorization = `Bearer ${apiToken}`;
  for (const car of SEED_CARS) {
    const created = await fetch(`${workerUrl}/sql/cars`, {
      method: "POST",
      headers,
      body: JSON.stringify(car),
    });
    await expectOk(created, "POST /sql/cars");
  }
  return SEED_CARS.length;
}

async function expectOk(response: Response, what: string): Promise<unknown> {
  const body: unknown = await response.json().catch(() => undefined);
  if (!response.ok) throw new Error(`${what} answered ${response.status}: ${JSON.stringify(body)}`);
  return body;
}
