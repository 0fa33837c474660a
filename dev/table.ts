/**
 * What `npm run dev` adds to the emulators' startup table: one curl per pattern.
 */

/**
 * One ready-to-run curl per pattern (Redis, SQL, fan-out fetch, timing), all offline.
 *
 * @example
 * ```ts
 * tryCurls("http://127.0.0.1:8787", undefined).forEach((line) => console.log(line));
 * ```
 */
export function tryCurls(workerUrl: string, apiToken: string | undefined): string[] {
  const host = workerUrl.replace(/^http:\/\//, "");
  const delayUrl = `${workerUrl}/timing/delay?ms=300`;
  const fetchBody = JSON.stringify({ urls: [delayUrl, delayUrl, delayUrl] });
  const lines = [
    `curl -s ${host}/health`,
    `curl -s ${host}/redis/hashes/car`,
    `curl -s '${host}/sql/cars?limit=5'`,
    `curl -s -X POST ${host}/fetch -H 'content-type: application/json' -d '${fetchBody}'`,
    `curl -s '${host}/timing/compare?tasks=5&ms=200'`,
  ];
  if (apiToken)
    lines.push(
      `# writes under /redis and /sql need: -H 'authorization: Bearer ${apiToken}' (API_TOKEN, .dev.vars)`,
    );
  return lines;
}
