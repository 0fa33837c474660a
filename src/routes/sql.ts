import { createRoute, z } from "@hono/zod-openapi";
import type { Context } from "hono";
import { wrapTime } from "hono/timing";
import type { AppEnv } from "../env.ts";
import { queryEach } from "../lib/each-backend.ts";
import { ApiError } from "../lib/errors.ts";
import { errorResponses, jsonResponse } from "../lib/openapi.ts";
import { createRouter } from "../lib/router.ts";
import type { CarStore } from "../lib/sql/cars.ts";
import { sqlError } from "../lib/sql/errors.ts";
import { allCarStores, carStore } from "../lib/sql/index.ts";
import { limitBody } from "../middleware/body-limit.ts";
import { requireWriteToken } from "../middleware/write-auth.ts";
import {
  Car,
  CarPage,
  CarPatchBody,
  IdParam,
  ListQuery,
  NewCarBody,
  SqlFanout,
  Stats,
} from "../schemas/sql.ts";

const tags = ["SQL"];
const idPath = { params: z.object({ id: IdParam }) };
const jsonBody = <T extends z.ZodType>(schema: T) => ({
  body: { required: true, content: { "application/json": { schema } } },
});
const backendErrors = [502, 503, 504] as const;

// Route-level, so an unknown path or method still answers 404/405 before any token is asked for.
// Bodies: a car is a few hundred bytes; specs are capped at 8 KiB.
const writeGuards = [requireWriteToken(), limitBody(16 * 1024)];

const routes = {
  list: createRoute({
    method: "get",
    path: "/cars",
    tags,
    summary: "List cars (fetchall), keyset-paginated by id",
    request: { query: ListQuery },
    responses: { 200: jsonResponse(CarPage, "One page"), ...errorResponses(400, ...backendErrors) },
  }),
  get: createRoute({
    method: "get",
    path: "/cars/{id}",
    tags,
    summary: "One car",
    request: idPath,
    responses: { 200: jsonResponse(Car, "The car"), ...errorResponses(400, 404, ...backendErrors) },
  }),
  create: createRoute({
    method: "post",
    path: "/cars",
    middleware: writeGuards,
    tags,
    summary: "Insert a car",
    request: jsonBody(NewCarBody),
    responses: {
      201: jsonResponse(Car, "The new car; `location` names it"),
      ...errorResponses(400, 401, 403, 413, 415, ...backendErrors),
    },
  }),
  update: createRoute({
    method: "patch",
    path: "/cars/{id}",
    middleware: writeGuards,
    tags,
    summary: "Change some of a car's fields",
    request: { ...idPath, ...jsonBody(CarPatchBody) },
    responses: {
      200: jsonResponse(Car, "The changed car"),
      ...errorResponses(400, 401, 403, 404, 413, 415, ...backendErrors),
    },
  }),
  remove: createRoute({
    method: "delete",
    path: "/cars/{id}",
    middleware: writeGuards,
    tags,
    summary: "Delete a car",
    request: idPath,
    responses: { 204: { description: "Deleted" }, ...errorResponses(400, 401, 403, 404, ...backendErrors) },
  }),
  stats: createRoute({
    method: "get",
    path: "/stats",
    tags,
    summary: "Count and average price per make (one GROUP BY)",
    responses: { 200: jsonResponse(Stats, "Per make, sorted by make"), ...errorResponses(...backendErrors) },
  }),
  fanout: createRoute({
    method: "get",
    path: "/fanout",
    tags,
    summary: "The stats query on every configured database at once",
    responses: { 200: jsonResponse(SqlFanout, "One entry per database"), ...errorResponses(503) },
  }),
};

/** Times one SQL round trip for Server-Timing. */
function query<T>(c: Context<AppEnv>, work: (store: CarStore) => Promise<T>): Promise<T> {
  return wrapTime(c, "sql", work(carStore(c.env)));
}

function carNotFound(id: string): ApiError {
  return new ApiError("not_found", `Car ${id} does not exist.`);
}

/** SQL: the tutorial's aiomysql connect / execute / fetchall, on PlanetScale over HTTP or on D1. */
export const sqlRoutes = createRouter()
  .openapi(routes.list, async (c) => {
    const { make, limit, cursor } = c.req.valid("query");
    // One extra row tells whether another page exists without a COUNT query.
    const rows = await query(c, (store) => store.list({ make, limit: limit + 1, afterId: cursor }));
    const items = rows.slice(0, limit);
    const nextCursor = rows.length > limit ? (items.at(-1)?.id ?? null) : null;
    return c.json({ items, nextCursor }, 200);
  })
  .openapi(routes.get, async (c) => {
    const { id } = c.req.valid("param");
    const car = await query(c, (store) => store.get(id));
    if (!car) throw carNotFound(id);
    return c.json(car, 200);
  })
  .openapi(routes.create, async (c) => {
    const input = c.req.valid("json");
    const createdAt = new Date();
    const id = await query(c, (store) => store.insert(input, createdAt));
    // Read back rather than echoed, so the answer is byte for byte what a later GET returns.
    const car = await query(c, (store) => store.get(id));
    if (!car) throw new ApiError("backend_error", "The new car could not be read back.");
    c.header("location", `/sql/cars/${id}`);
    return c.json(car, 201);
  })
  .openapi(routes.update, async (c) => {
    const { id } = c.req.valid("param");
    const car = await query(c, (store) => store.update(id, c.req.valid("json")));
    if (!car) throw carNotFound(id);
    return c.json(car, 200);
  })
  .openapi(routes.remove, async (c) => {
    const { id } = c.req.valid("param");
    if (!(await query(c, (store) => store.remove(id)))) throw carNotFound(id);
    return c.body(null, 204);
  })
  .openapi(routes.stats, async (c) => c.json(await query(c, (store) => store.stats()), 200))
  .openapi(routes.fanout, async (c) => {
    const readStats = async ({ store }: { store: CarStore }) => ({ result: await store.stats() });
    const { entries, elapsedMs, sumMs } = await wrapTime(
      c,
      "sql",
      queryEach(allCarStores(c.env), readStats, sqlError),
    );
    return c.json({ databases: entries, elapsedMs, sumMs }, 200);
  });
