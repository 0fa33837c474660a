import fc from "fast-check";
import type { Rejection } from "./battery-support.ts";
import { testEnv } from "./support.ts";

/** Pieces that end, escape or comment out a string literal, or widen a LIKE pattern, in some SQL dialect. */
export const SQL_META = [
  "'",
  "''",
  '"',
  "`",
  ";",
  "--",
  "#",
  "/*",
  "*/",
  "\\",
  "\\'",
  "%",
  "_",
  "' OR '1'='1",
  "'; DROP TABLE cars; --",
  '" OR ""="',
  "1; SELECT SLEEP(10)",
  "$1",
  "?",
  "@@version",
  "\\0",
  "\u0000",
  "\u001a",
];

// Unicode that trips naive code: astral characters, combining marks, zero-width and bidi controls, a BOM,
// line separators, characters whose case mapping changes their length.
const ODD = [
  "é",
  "ß",
  "İ",
  "ﬃ",
  "🚗",
  "👩‍👩‍👧",
  "𝔘",
  "𠜎",
  "\u0301",
  "\u200b",
  "\u202e",
  "\ufeff",
  "\u2028",
  "\r\n",
];

const control = fc
  .oneof(fc.integer({ min: 0, max: 0x1f }), fc.constantFrom(0x7f, 0x85))
  .map((code) => String.fromCharCode(code));

const piece = fc.oneof(
  fc.string({ unit: "binary", maxLength: 6 }),
  fc.string({ unit: fc.constantFrom(...ODD), maxLength: 3 }),
  fc.string({ unit: control, maxLength: 3 }),
);

/** Free text that always carries a SQL metacharacter, with unicode and control characters around it. */
export function nastyText(maxLength = 48): fc.Arbitrary<string> {
  return fc
    .tuple(piece, fc.constantFrom(...SQL_META), piece)
    .map(([before, meta, after]) => `${before}${meta}${after}`)
    .filter((text) => text.length <= maxLength);
}

/** One unpaired UTF-16 surrogate, which no UTF-8 store can keep. */
export const loneSurrogate = fc
  .integer({ min: 0xd800, max: 0xdfff })
  .map((code) => String.fromCharCode(code));

/** Texts that are not JSON at all, or almost JSON. */
export const INVALID_JSON = [
  "",
  " ",
  "{",
  "}",
  "{'a':1}",
  "{a:1}",
  '{"a":1,}',
  '{"a":}',
  '{"a":1}x',
  '{"a":1}{"b":2}',
  '{"a":"\\x"}',
  '{"a":"raw\u0000control"}',
  '{"a":01}',
  '{"a":.5}',
  '{"a":+1}',
  "[1,2",
  "undefined",
  "NaN",
  "nul",
  "tru",
  "<a>1</a>",
  "a=1&b=2",
  "'; DROP TABLE cars; --",
];

export const invalidJson = fc.oneof(
  fc.constantFrom(...INVALID_JSON),
  fc.string({ maxLength: 30 }).filter((text) => !parsesAsJson(text)),
);

function parsesAsJson(text: string): boolean {
  try {
    JSON.parse(text);
    return true;
  } catch {
    return false;
  }
}

/** Media types that are not JSON (Hono accepts `application/json` and `application/*+json` only); null: no header. */
export const notJsonContentType = fc.constantFrom(
  null,
  "",
  "text/plain",
  "text/plain; charset=utf-8",
  "application/x-www-form-urlencoded",
  "multipart/form-data; boundary=x",
  "application/xml",
  "text/json",
  "application/json5",
  "application/jsonp",
  "application/ json",
  "image/png",
  "*/*",
);

/** Authorization headers that must not pass for the test token; null: no header at all. */
export function badAuthorization(): fc.Arbitrary<string | null> {
  const token = testEnv.API_TOKEN ?? "test-api-token";
  return fc.constantFrom(
    null,
    "",
    "Bearer",
    "Bearer wrong",
    `Bearer ${token}x`,
    // RFC 6750 allows several spaces after "Bearer" (Hono's bearer-auth accepts them), but not a tab.
    `Bearer\t${token}`,
    `Token ${token}`,
    `Basic ${btoa(`user:${token}`)}`,
    token,
    `Bearer ${token.slice(0, -1)}`,
    "Bearer ' OR '1'='1",
  );
}

/**
 * Query values an integer parameter in `[min, max]` must refuse: out of range, fractions, non-numbers. Empty and
 * whitespace-only values are left out: `z.coerce.number()` reads them as 0, which the report on issue 7 discusses.
 */
export function badInteger(min: number, max: number): fc.Arbitrary<string> {
  return fc.oneof(
    fc.integer({ min: -1_000_000_000, max: min - 1 }).map(String),
    fc.integer({ min: max + 1, max: Number.MAX_SAFE_INTEGER }).map(String),
    fc.double({ min, max, noInteger: true, noNaN: true }).map(String),
    fc.constantFrom("NaN", "Infinity", "-Infinity", "1e400", "9".repeat(400), "true", "null", "[]", "0x"),
    fc.constantFrom("1_000", "1,5", "½", "١٢", "１２", `${max}'; --`, `${min} OR 1=1`),
    // No numeric literal contains a "g", so Number() of this is NaN whatever comes before it.
    nastyText(16).map((text) => `${text}g`),
  );
}

/** Sets or drops a header: undefined leaves the default, null removes it, a string replaces it. */
export function header(headers: Record<string, string>, name: string, value: string | null | undefined) {
  if (value === null) delete headers[name];
  else if (value !== undefined) headers[name] = value;
  return headers;
}

const printable = fc.integer({ min: 0x20, max: 0x7e }).map((code) => String.fromCharCode(code));

/** Adds a client-chosen `x-request-id` (sane or not) to some probes: the error must carry the id it answers with. */
export function withRequestId(arbitrary: fc.Arbitrary<Rejection>): fc.Arbitrary<Rejection> {
  const requestId = fc.option(
    fc.oneof(
      fc.stringMatching(/^[\w\-=]{1,128}$/),
      fc.string({ unit: printable, minLength: 1, maxLength: 200 }),
    ),
    { nil: undefined },
  );
  return fc.tuple(arbitrary, requestId).map(([rejection, id]) =>
    id === undefined
      ? rejection
      : {
          ...rejection,
          probe: { ...rejection.probe, headers: { ...rejection.probe.headers, "x-request-id": id } },
        },
  );
}

/** Encodes a query the way a client would, keeping duplicate names. */
export function queryString(params: [string, string][]): string {
  const query = new URLSearchParams(params).toString();
  return query ? `?${query}` : "";
}
