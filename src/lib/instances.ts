import { ApiError } from "./errors.ts";

/**
 * Reads an optional JSON list of extra databases from a variable, each entry an object whose `keys` are all
 * strings. A malformed value is a 503 naming the variable, because the fix is in configuration, not the request.
 *
 * @example
 * ```ts
 * parseInstanceList(env.SQL_INSTANCES, "SQL_INSTANCES", ["name", "url"]); // [{ name: "eu", url: "https://..." }]
 * ```
 */
export function parseInstanceList<K extends string>(
  raw: string | undefined,
  variable: string,
  keys: readonly K[],
): Record<K, string>[] {
  if (!raw?.trim()) return [];
  const shape = `[{${keys.join(", ")}}]`;
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
