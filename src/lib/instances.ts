import { ApiError } from "./errors.ts";

type Outcome<T> = { value: T } | { error: unknown };

// Values change only between deploys; the bound only keeps a caller with ever-new values from growing the map.
const REMEMBERED_VALUES = 16;

/**
 * Makes `parse` run once per isolate for each distinct set of configuration values: later calls with the same values
 * get the very same result (or the same thrown error), and a changed value (a new deploy, a test's override) is
 * parsed afresh. Keyed by value, not by the `env` object, because workerd may hand each request a new one.
 *
 * @example
 * ```ts
 * const origins = byValue((raw: string | undefined) => (raw ?? "").split(","));
 * origins(c.env.CORS_ORIGINS) === origins(c.env.CORS_ORIGINS); // true: parsed once
 * ```
 */
export function byValue<A extends (string | undefined)[], T>(
  parse: (...values: A) => T,
): (...values: A) => T {
  const seen = new Map<string, Outcome<T>>();
  return function parsedOnce(...values) {
    const key = JSON.stringify(values);
    let outcome = seen.get(key);
    if (!outcome) {
      try {
        outcome = { value: parse(...values) };
      } catch (error) {
        outcome = { error };
      }
      if (seen.size >= REMEMBERED_VALUES) seen.clear();
      seen.set(key, outcome);
    }
    if ("error" in outcome) throw outcome.error;
    return outcome.value;
  };
}

/**
 * A reader for an optional JSON list of extra databases in `variable`, each entry an object whose `keys` are all
 * strings, parsed once per value. A malformed value is a 503 naming the variable, because the fix is in
 * configuration, not the request.
 *
 * @example
 * ```ts
 * const sqlInstances = instanceList("SQL_INSTANCES", ["name", "url"]);
 * sqlInstances(env.SQL_INSTANCES); // [{ name: "eu", url: "https://..." }]
 * ```
 */
export function instanceList<K extends string>(
  variable: string,
  keys: readonly K[],
): (raw: string | undefined) => readonly Record<K, string>[] {
  const shape = `[{${keys.join(", ")}}]`;
  return byValue(function parseInstanceList(raw: string | undefined): Record<K, string>[] {
    if (!raw?.trim()) return [];
    let parsed: unknown;
    try {
      parsed = JSON.parse(raw);
    } catch {
      throw new ApiError("backend_unavailable", `${variable} is not valid JSON; expected ${shape}.`);
    }
    if (!Array.isArray(parsed) || !parsed.every((entry) => hasStringKeys(entry, keys))) {
      throw new ApiError(
        "backend_unavailable",
        `${variable} must be a JSON list of ${shape} with string values.`,
      );
    }
    return parsed;
  });
}

function hasStringKeys<K extends string>(entry: unknown, keys: readonly K[]): entry is Record<K, string> {
  if (typeof entry !== "object" || entry === null) return false;
  const values = entry as Record<string, unknown>;
  return (
    keys.every((key) => typeof values[key] === "string") && (!("url" in values) || isHttpUrl(values.url))
  );
}

/**
 * Whether a configured backend URL is one the HTTP clients accept: absolute `http:` or `https:`. Checked up front,
 * because the clients throw on a bad one while being constructed, outside any request's error mapping.
 *
 * @example
 * ```ts
 * if (!isHttpUrl(env.DATABASE_URL)) throw new ApiError("backend_unavailable", "DATABASE_URL is not an http(s) URL.");
 * ```
 */
export function isHttpUrl(value: unknown): value is string {
  return typeof value === "string" && /^https?:\/\/\S+$/i.test(value) && URL.canParse(value);
}
