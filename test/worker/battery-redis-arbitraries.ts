import fc from "fast-check";
import {
  badAuthorization,
  badInteger,
  header,
  invalidJson,
  nastyText,
  notJsonContentType,
  queryString,
  withRequestId,
} from "./battery-arbitraries.ts";
import { type Probe, type Rejection, writeHeaders } from "./battery-support.ts";

// docs/API.md: keys match this; field names are 1–128 characters; values up to 16 KiB; at most 100 fields.
const KEY = /^[A-Za-z0-9][A-Za-z0-9:._-]{0,127}$/;
// The length of a uniqueRun() prefix, to judge generated keys before the real prefix is known.
const SAMPLE_RUN = "brd-00000000";

/** A path segment that is not a valid key; `routed` is false when URL normalisation takes it off the hash routes. */
interface BadKey {
  segment: string;
  routed: boolean;
}

const traversal: BadKey[] = [
  ...[
    "..%2F@RUN",
    "%2e%2e%2f@RUN",
    "@RUN%2F..%2F..%2Fetc%2Fpasswd",
    "@RUN%252e%252e%252f",
    "%2E%2E%5C@RUN",
    "@RUN%00",
    "@RUN%",
    "@RUN%ZZ",
    "@RUN%E0%A4%A",
    "@RUN%C0%AE%C0%AE",
    ".@RUN",
    "-@RUN",
    "_@RUN",
    ":@RUN",
  ].map((segment) => ({ segment, routed: true })),
  // Dot segments, plain or encoded, are resolved by the URL parser before the Worker sees the path.
  ...["%2e%2e", "..", ".", "%2E", "%2e%2E/%2e%2e/@RUN", "../../@RUN"].map((segment) => ({
    segment,
    routed: false,
  })),
];

const badKey: fc.Arbitrary<BadKey> = fc.oneof(
  fc.constantFrom(...traversal),
  nastyText(40)
    .map((text) => ({ segment: `@RUN${encodeURIComponent(text)}`, routed: true }))
    .filter(({ segment }) => !KEY.test(decodeURIComponent(segment.replace("@RUN", SAMPLE_RUN)))),
  fc
    .integer({ min: 129 - SAMPLE_RUN.length, max: 4000 })
    .map((n) => ({ segment: `@RUN${"a".repeat(n)}`, routed: true })),
);

// Texts with their own tests in battery-redis.test.ts (known bugs, see the report on issue 7), kept out of the general runs so
// those stay able to find anything else: the name `__proto__`, and a leading byte-order mark.
const ownTest = (text: string) => text === "__proto__" || text.startsWith("\ufeff");

/**
 * Field names a client may use. `.` and `..` cannot be addressed in a path (the URL parser resolves them), so
 * they stay out of the pool that single-field requests draw from.
 */
export const fieldName = fc
  .oneof(
    fc.constantFrom("make", "model", "constructor", "toString", "hasOwnProperty", "a b", "🚗".repeat(64)),
    fc.constantFrom("x".repeat(128), "' OR 1=1 --", "\u0000", "a/b", "%2F", "?x=1", "#"),
    nastyText(128),
    fc.string({ unit: "binary", minLength: 1, maxLength: 20 }),
  )
  .filter((name) => name.length <= 128 && !ownTest(name) && name !== "." && name !== "..");

export type FieldValue = string | number | boolean;
export const fieldValue: fc.Arbitrary<FieldValue> = fc.oneof(
  { weight: 4, arbitrary: nastyText(64).filter((text) => !ownTest(text)) },
  fc.constantFrom("", "007", "  ", "null", '{"a":1}', "x".repeat(16 * 1024), "é".repeat(8 * 1024)),
  fc.string({ unit: "binary", maxLength: 30 }).filter((text) => !ownTest(text)),
  fc.integer(),
  fc.double({ noNaN: true, noDefaultInfinity: true }),
  fc.boolean(),
);

const hash = fc.dictionary(fieldName, fieldValue, { minKeys: 1, maxKeys: 5, noNullPrototype: true });

const oversized = (fill: string, times: number) => ({ before: '{"big":"', fill, times, after: '"}' });
const badHashBody: fc.Arbitrary<{ body: Probe["body"]; status: number }> = fc.oneof(
  invalidJson.map((body) => ({ body, status: 400 })),
  fc.constantFrom("null", "[]", '["a"]', '"text"', "42", "true", "{}").map((body) => ({ body, status: 400 })),
  fc
    .tuple(fieldName, fc.constantFrom(null, {}, [], { a: 1 }, [1, 2]))
    .map(([name, value]) => ({ body: JSON.stringify({ [name]: value }), status: 400 })),
  fc
    .tuple(fc.constantFrom("", "f".repeat(129), "é".repeat(129), "🚗".repeat(65)), fieldValue)
    .map(([name, value]) => ({ body: JSON.stringify({ ok: "1", [name]: value }), status: 400 })),
  fc
    .constantFrom(oversized("x", 16 * 1024 + 1), oversized("é", 8 * 1024 + 1), oversized("🚗", 4097))
    .map((body) => ({ body, status: 400 })),
  fc.constant({
    body: JSON.stringify(Object.fromEntries(Array.from({ length: 101 }, (_, i) => [`f${i}`, "v"]))),
    status: 400,
  }),
  // Over the 2 MiB body limit of /redis.
  fc.constant({ body: { before: '{"a":"', fill: "x", times: 2 * 1024 * 1024, after: '"}' }, status: 413 }),
);

/** A PUT or PATCH with one to four defects; each defect says which status it may cause. */
function badWrite(key: fc.Arbitrary<string>): fc.Arbitrary<Rejection> {
  const option = <T>(arbitrary: fc.Arbitrary<T>) => fc.option(arbitrary, { nil: undefined });
  return fc
    .record({
      method: fc.constantFrom("PUT", "PATCH"),
      goodKey: key,
      goodBody: hash,
      key: option(badKey),
      body: option(badHashBody),
      contentType: option(notJsonContentType),
      auth: option(badAuthorization()),
      ttl: option(fc.oneof(badInteger(1, 31_536_000), fc.constant("5&ttl=6"))),
    })
    .map((d) => {
      const statuses: number[] = [];
      if (d.key) statuses.push(400);
      if (d.body) statuses.push(d.body.status);
      if (d.contentType !== undefined) statuses.push(415);
      // Only PUT reads ?ttl=; on PATCH an unknown query parameter is ignored, so it is no defect there.
      const ttl = d.ttl !== undefined && d.method === "PUT" ? d.ttl : undefined;
      if (ttl !== undefined) statuses.push(400);
      const query = ttl === undefined ? "" : ttl.includes("&") ? `?ttl=${ttl}` : queryString([["ttl", ttl]]);
      const headers = header(header(writeHeaders(), "content-type", d.contentType), "authorization", d.auth);
      const probe: Probe = {
        method: d.method,
        path: `/redis/hashes/${d.key?.segment ?? d.goodKey}${query}`,
        headers,
        body: d.body?.body ?? JSON.stringify(d.goodBody),
      };
      // Middleware runs in order: routing, then the token, then the body limit, then validation.
      // A dot segment can leave `/redis/hashes/` (still behind the token and the limit) or `/redis/` (neither).
      let allowed = [...new Set(statuses)];
      if (d.auth !== undefined) allowed = [401];
      else if (statuses.includes(413)) allowed = [413];
      if (d.key && !d.key.routed)
        allowed = [404, ...(d.auth !== undefined || statuses.includes(413) ? allowed : [])];
      return { probe, allowed, defects: statuses.length + (d.auth === undefined ? 0 : 1) };
    })
    .filter(({ defects }) => defects > 0)
    .map(({ probe, allowed }) => ({ probe, allowed }));
}

function probe(method: string, path: string, allowed: number[]): Rejection {
  const headers = method === "GET" ? {} : writeHeaders();
  return { probe: { method, path, headers }, allowed };
}

/** Reads and deletes of keys that are not keys, of absent fields with hostile names, and of fanout. */
function badRead(key: fc.Arbitrary<string>): fc.Arbitrary<Rejection> {
  const absentField = fc.oneof(
    fc.constantFrom(
      "..%2F..%2Fetc%2Fpasswd",
      "%2e%2e%2fmake",
      "make%00",
      "%252e%252e",
      "*",
      "%25",
      "make%2F..",
    ),
    nastyText(128).map((text) => encodeURIComponent(text)),
  );
  return fc.oneof(
    fc
      .tuple(fc.constantFrom("GET", "DELETE"), badKey, fc.constantFrom("", "/fields/make"))
      .map(([method, k, tail]) =>
        probe(method, `/redis/hashes/${k.segment}${tail}`, k.routed ? [400] : [404]),
      ),
    badKey.map((k) => probe("GET", `/redis/fanout/${k.segment}`, k.routed ? [400] : [404])),
    // Hostile but valid field names: the hash under this run's prefix does not exist, so 404.
    fc
      .tuple(fc.constantFrom("GET", "DELETE"), key, absentField)
      .map(([method, k, field]) => probe(method, `/redis/hashes/${k}/fields/${field}`, [404])),
    fc
      .tuple(fc.constantFrom("GET", "DELETE"), key, fc.constantFrom("f".repeat(129), "%C3%A9".repeat(129)))
      .map(([method, k, field]) => probe(method, `/redis/hashes/${k}/fields/${field}`, [400])),
  );
}

function wrongMethod(key: fc.Arbitrary<string>): fc.Arbitrary<Rejection> {
  return fc.oneof(
    key.map((k) => probe("POST", `/redis/hashes/${k}`, [405])),
    key.map((k) => probe("PUT", `/redis/hashes/${k}/fields/make`, [405])),
    fc
      .tuple(fc.constantFrom("PATCH", "DELETE", "POST"), key)
      .map(([method, k]) => probe(method, `/redis/fanout/${k}`, [405])),
    fc
      .tuple(fc.constantFrom("PROPFIND", "PURGE", "OPTIONS"), key)
      .map(([method, k]) => probe(method, `/redis/hashes/${k}`, [405])),
    key.map((k) => probe("GET", `/redis/hashes/${k}/fields`, [404])),
    fc.constantFrom("/redis/hashes", "/redis/hashes/", "/redis/").map((path) => probe("GET", path, [404])),
  );
}

/** Every kind of request the Redis routes must refuse, aimed at keys under the run's prefix. */
export function invalidRedisRequest(key: fc.Arbitrary<string>): fc.Arbitrary<Rejection> {
  return withRequestId(
    fc.oneof(
      { weight: 5, arbitrary: badWrite(key) },
      { weight: 3, arbitrary: badRead(key) },
      { weight: 1, arbitrary: wrongMethod(key) },
    ),
  );
}
