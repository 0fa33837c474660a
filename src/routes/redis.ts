import type { Context } from "hono";
import { wrapTime } from "hono/timing";
import { Hono } from "hono/tiny";
import * as v from "valibot";
import type { AppEnv } from "../env.ts";
import { queryEach } from "../lib/each-backend.ts";
import { ApiError } from "../lib/errors.ts";
import { endpoint, errorResponses, jsonResponse, validate } from "../lib/openapi.ts";
import { allRedis, primaryRedis, type RedisInstance, redisClient, redisError } from "../lib/redis.ts";
import { htmlView } from "../middleware/html-view.ts";
import {
  FieldPathSchema,
  HashBodySchema,
  HashFieldSchema,
  HashPathSchema,
  HashSchema,
  RedisFanoutSchema,
  TtlQuerySchema,
} from "../schemas/redis.ts";
import { redisFanoutPage } from "../views/fanout.ts";

const tags = ["Redis hashes"];
const writeErrors = errorResponses(400, 401, 403, 413, 415, 502, 503, 504);
const readErrors = errorResponses(400, 404, 502, 503, 504);
const deleteErrors = errorResponses(401, 403, 404, 502, 503, 504);
const noContent = { description: "Deleted" };
// 100 fields of up to 16 KiB each, plus names and JSON punctuation.
const MAX_BODY_BYTES = 2 * 1024 * 1024;

/** Times one Redis round trip for Server-Timing and turns client failures into API errors. */
function roundTrip<T>(c: Context<AppEnv>, work: Promise<T>): Promise<T> {
  return wrapTime(
    c,
    "redis",
    work.catch((error: unknown) => Promise.reject(redisError(error))),
  );
}

function primary(c: Context<AppEnv>) {
  return redisClient(primaryRedis(c.env));
}

/** Redis keeps strings; converting here means the answer shows exactly what was stored. */
function toStrings(fields: Record<string, string | number | boolean>): Record<string, string> {
  return Object.fromEntries(Object.entries(fields).map(([name, value]) => [name, String(value)]));
}

/** HGETALL without deserialization answers a flat `[field, value, ...]` list (or null when absent). */
function toFieldMap(reply: unknown): Record<string, string> {
  if (!Array.isArray(reply)) return {};
  const fields: Record<string, string> = {};
  for (let i = 0; i + 1 < reply.length; i += 2) fields[String(reply[i])] = String(reply[i + 1]);
  return fields;
}

function toTtl(seconds: unknown): number | null {
  return typeof seconds === "number" && seconds >= 0 ? seconds : null;
}

function hashNotFound(key: string): ApiError {
  return new ApiError("not_found", `Hash "${key}" does not exist.`);
}

function fieldNotFound(key: string, field: string): ApiError {
  return new ApiError("not_found", `Field "${field}" does not exist in hash "${key}".`);
}

/** Redis hashes: the tutorial's hmset_dict / hgetall, one round trip per request. */
export const redisRoutes = new Hono<AppEnv>()
  .put(
    "/hashes/:key",
    endpoint({
      tags,
      summary: "Replace a hash (hmset_dict)",
      write: true,
      maxBodyBytes: MAX_BODY_BYTES,
      responses: { 200: jsonResponse(HashSchema, "The stored hash"), ...writeErrors },
    }),
    validate("param", HashPathSchema),
    validate("query", TtlQuerySchema),
    validate("json", HashBodySchema),
    async (c) => {
      const { key } = c.req.valid("param");
      const { ttl } = c.req.valid("query");
      const fields = toStrings(c.req.valid("json"));
      // DEL + HSET (+ EXPIRE) in one MULTI/EXEC: readers see the old hash or the new one, never a mix.
      const tx = primary(c).multi().del(key).hset(key, fields);
      if (ttl) tx.expire(key, ttl);
      await roundTrip(c, tx.exec());
      return c.json({ key, fields, ttl: ttl ?? null }, 200);
    },
  )
  .patch(
    "/hashes/:key",
    endpoint({
      tags,
      summary: "Merge fields into a hash, keeping its TTL",
      write: true,
      maxBodyBytes: MAX_BODY_BYTES,
      responses: { 200: jsonResponse(HashSchema, "The merged hash"), ...writeErrors },
    }),
    validate("param", HashPathSchema),
    validate("json", HashBodySchema),
    async (c) => {
      const { key } = c.req.valid("param");
      const tx = primary(c)
        .multi()
        .hset(key, toStrings(c.req.valid("json")))
        .hgetall(key)
        .ttl(key);
      const [, all, ttl] = await roundTrip(c, tx.exec<[number, unknown, number]>());
      return c.json({ key, fields: toFieldMap(all), ttl: toTtl(ttl) }, 200);
    },
  )
  .get(
    "/hashes/:key",
    endpoint({
      tags,
      summary: "Read a hash (hgetall) and its TTL",
      responses: { 200: jsonResponse(HashSchema, "The hash"), ...readErrors },
    }),
    validate("param", HashPathSchema),
    async (c) => {
      const { key } = c.req.valid("param");
      const [all, ttl] = await roundTrip(
        c,
        primary(c).pipeline().hgetall(key).ttl(key).exec<[unknown, number]>(),
      );
      const fields = toFieldMap(all);
      if (Object.keys(fields).length === 0) throw hashNotFound(key);
      return c.json({ key, fields, ttl: toTtl(ttl) }, 200);
    },
  )
  .get(
    "/hashes/:key/fields/:field",
    endpoint({
      tags,
      summary: "Read one field (hget)",
      responses: { 200: jsonResponse(HashFieldSchema, "The field"), ...readErrors },
    }),
    validate("param", FieldPathSchema),
    async (c) => {
      const { key, field } = c.req.valid("param");
      const value = await roundTrip(c, primary(c).hget<string>(key, field));
      if (value === null || value === undefined) throw fieldNotFound(key, field);
      return c.json({ key, field, value: String(value) }, 200);
    },
  )
  .delete(
    "/hashes/:key",
    endpoint({ tags, summary: "Delete a hash", write: true, responses: { 204: noContent, ...deleteErrors } }),
    validate("param", HashPathSchema),
    async (c) => {
      const { key } = c.req.valid("param");
      if ((await roundTrip(c, primary(c).del(key))) === 0) throw hashNotFound(key);
      return c.body(null, 204);
    },
  )
  .delete(
    "/hashes/:key/fields/:field",
    endpoint({
      tags,
      summary: "Delete one field",
      write: true,
      responses: { 204: noContent, ...deleteErrors },
    }),
    validate("param", FieldPathSchema),
    async (c) => {
      const { key, field } = c.req.valid("param");
      if ((await roundTrip(c, primary(c).hdel(key, field))) === 0) throw fieldNotFound(key, field);
      return c.body(null, 204);
    },
  )
  .get(
    "/fanout/:key",
    endpoint({
      tags,
      summary: "Read a hash from every configured database at once",
      rate: "fanout",
      responses: {
        200: jsonResponse(RedisFanoutSchema, "One entry per database"),
        ...errorResponses(400, 503),
      },
    }),
    htmlView(redisFanoutPage),
    validate("param", HashPathSchema),
    async (c) => {
      const { key } = c.req.valid("param");
      const readHash = async (instance: RedisInstance) => ({
        fields: toFieldMap(await redisClient(instance).hgetall(key)),
      });
      const { entries, elapsedMs, sumMs } = await wrapTime(
        c,
        "redis",
        queryEach(allRedis(c.env), readHash, redisError),
      );
      return c.json({ key, instances: entries, elapsedMs, sumMs }, 200);
    },
  )
  .get(
    "/fanout",
    endpoint({
      tags,
      summary: "Sends a plain HTML form (`?key=`) on to /redis/fanout/{key}",
      responses: { 303: { description: "To /redis/fanout/{key}" }, ...errorResponses(400, 404) },
    }),
    // A GET form can only add query parameters; the key belongs in the path.
    validate("query", v.partial(HashPathSchema)),
    (c) => {
      const { key } = c.req.valid("query");
      // Without a key this names no hash, as /redis/fanout/ (the same route to the router) does not either.
      if (key === undefined) throw new ApiError("not_found", "Name the hash: /redis/fanout/{key}.");
      return c.redirect(`/redis/fanout/${encodeURIComponent(key)}`, 303);
    },
  );
