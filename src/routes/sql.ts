import type { Context } from "hono";
import { wrapTime } from "hono/timing";
import { Hono } from "hono/tiny";
import type { AppEnv } from "../env.ts";
import { queryEach } from "../lib/each-backend.ts";
import { ApiError } from "../lib/errors.ts";
import { endpoint, errorResponses, jsonResponse, validate } from "../lib/openapi.ts";
import type { CarStore } from "../lib/sql/cars.ts";
import { sqlError } from "../lib/sql/errors.ts";
import { allCarStores, carStore } from "../lib/sql/index.ts";
import { htmlView } from "../middleware/html-view.ts";
import {
  CarListQuerySchema,
  CarPageSchema,
  CarPatchSchema,
  CarPathSchema,
  CarSchema,
  CarStatsSchema,
  NewCarSchema,
  SqlFanoutSchema,
} from "../schemas/sql.ts";
import { sqlFanoutPage } from "../views/fanout.ts";

const tags = ["SQL"];
const backendErrors = [502, 503, 504] as const;
// A car is a few hundred bytes; specs are capped at 8 KiB.
const MAX_BODY_BYTES = 16 * 1024;

/** Times one SQL round trip for Server-Timing. */
function query<T>(c: Context<AppEnv>, work: (store: CarStore) => Promise<T>): Promise<T> {
  return wrapTime(c, "sql", work(carStore(c.env)));
}

function carNotFound(id: string): ApiError {
  return new ApiError("not_found", `Car ${id} does not exist.`);
}

/** SQL: the tutorial's aiomysql connect / execute / fetchall, on PlanetScale over HTTP or on D1. */
export const sqlRoutes = new Hono<AppEnv>()
  .get(
    "/cars",
    endpoint({
      tags,
      summary: "List cars (fetchall), keyset-paginated by id",
      responses: { 200: jsonResponse(CarPageSchema, "One page"), ...errorResponses(400, ...backendErrors) },
    }),
    validate("query", CarListQuerySchema),
    async (c) => {
      const { make, limit, cursor } = c.req.valid("query");
      // One extra row tells whether another page exists without a COUNT query.
      const rows = await query(c, (store) => store.list({ make, limit: limit + 1, afterId: cursor }));
      const items = rows.slice(0, limit);
      const nextCursor = rows.length > limit ? (items.at(-1)?.id ?? null) : null;
      return c.json({ items, nextCursor }, 200);
    },
  )
  .get(
    "/cars/:id",
    endpoint({
      tags,
      summary: "One car",
      responses: { 200: jsonResponse(CarSchema, "The car"), ...errorResponses(400, 404, ...backendErrors) },
    }),
    validate("param", CarPathSchema),
    async (c) => {
      const { id } = c.req.valid("param");
      const car = await query(c, (store) => store.get(id));
      if (!car) throw carNotFound(id);
      return c.json(car, 200);
    },
  )
  .post(
    "/cars",
    endpoint({
      tags,
      summary: "Insert a car",
      write: true,
      maxBodyBytes: MAX_BODY_BYTES,
      responses: {
        201: jsonResponse(CarSchema, "The new car; `location` names it"),
        ...errorResponses(400, 401, 403, 413, 415, ...backendErrors),
      },
    }),
    validate("json", NewCarSchema),
    async (c) => {
      const input = c.req.valid("json");
      const createdAt = new Date();
      const id = await query(c, (store) => store.insert(input, createdAt));
      // Read back rather than echoed, so the answer is byte for byte what a later GET returns.
      const car = await query(c, (store) => store.get(id));
      if (!car) throw new ApiError("backend_error", "The new car could not be read back.");
      c.header("location", `/sql/cars/${id}`);
      return c.json(car, 201);
    },
  )
  .patch(
    "/cars/:id",
    endpoint({
      tags,
      summary: "Change some of a car's fields",
      write: true,
      maxBodyBytes: MAX_BODY_BYTES,
      responses: {
        200: jsonResponse(CarSchema, "The changed car"),
        ...errorResponses(400, 401, 403, 404, 413, 415, ...backendErrors),
      },
    }),
    validate("param", CarPathSchema),
    validate("json", CarPatchSchema),
    async (c) => {
      const { id } = c.req.valid("param");
      const car = await query(c, (store) => store.update(id, c.req.valid("json")));
      if (!car) throw carNotFound(id);
      return c.json(car, 200);
    },
  )
  .delete(
    "/cars/:id",
    endpoint({
      tags,
      summary: "Delete a car",
      write: true,
      responses: { 204: { description: "Deleted" }, ...errorResponses(400, 401, 403, 404, ...backendErrors) },
    }),
    validate("param", CarPathSchema),
    async (c) => {
      const { id } = c.req.valid("param");
      if (!(await query(c, (store) => store.remove(id)))) throw carNotFound(id);
      return c.body(null, 204);
    },
  )
  .get(
    "/stats",
    endpoint({
      tags,
      summary: "Count and average price per make (one GROUP BY)",
      responses: {
        200: jsonResponse(CarStatsSchema, "Per make, sorted by make"),
        ...errorResponses(...backendErrors),
      },
    }),
    async (c) => c.json(await query(c, (store) => store.stats()), 200),
  )
  .get(
    "/fanout",
    endpoint({
      tags,
      summary: "The stats query on every configured database at once",
      rate: "fanout",
      responses: { 200: jsonResponse(SqlFanoutSchema, "One entry per database"), ...errorResponses(503) },
    }),
    htmlView(sqlFanoutPage),
    async (c) => {
      const readStats = async ({ store }: { store: CarStore }) => ({ result: await store.stats() });
      const { entries, elapsedMs, sumMs } = await wrapTime(
        c,
        "sql",
        queryEach(allCarStores(c.env), readStats, sqlError),
      );
      return c.json({ databases: entries, elapsedMs, sumMs }, 200);
    },
  );
