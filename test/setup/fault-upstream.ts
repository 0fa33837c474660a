import type { IncomingMessage, ServerResponse } from "node:http";

/** One canned answer: what a faulty Upstash or PlanetScale endpoint sends back. */
interface FaultAnswer {
  status: number;
  body: string;
  type?: string;
}

const json = (status: number, body: unknown): FaultAnswer => ({
  status,
  body: JSON.stringify(body),
  type: "application/json",
});
const html = (status: number, title: string): FaultAnswer => ({
  status,
  body: `<html><body><h1>${title}</h1></body></html>`,
  type: "text/html",
});
const psdbError = (code: string, message: string) => json(200, { session: null, error: { code, message } });

/**
 * Answers real backends cannot be made to give on demand, named by the credential the Worker sends: the Upstash
 * token (`Authorization: Bearer <name>`) or the PlanetScale password (`http://fault:<name>@host`).
 */
const answers: Record<string, FaultAnswer> = {
  // Upstash REST (POST /upstream, /upstream/pipeline, /upstream/multi-exec).
  "upstash-500": json(500, { error: "ERR internal error" }),
  "upstash-html-502": html(502, "502 Bad Gateway"),
  "upstash-garbage-200": { status: 200, body: "this is not JSON" },
  "upstash-413": json(413, { error: "ERR max request size exceeded" }),
  "upstash-unauthorized": json(401, { error: "Unauthorized" }),
  "upstash-noperm": json(400, { error: "NOPERM this user has no permissions to run the 'hgetall' command" }),
  "upstash-loading": json(400, { error: "LOADING Redis is loading the dataset in memory" }),
  // PlanetScale HTTP (POST /psdb.v1alpha1.Database/Execute): SQL errors come inside a 200, with a vtrpc code.
  "psdb-sql-error": psdbError(
    "INVALID_ARGUMENT",
    "target: app.0.primary: vttablet: rpc error: code = InvalidArgument desc = Unknown column 'connection_timed_out' in 'field list' (errno 1054) (sqlstate 42S22)",
  ),
  "psdb-unavailable": psdbError(
    "UNAVAILABLE",
    "vttablet: rpc error: code = Unavailable desc = primary is not serving",
  ),
  "psdb-deadline": psdbError(
    "DEADLINE_EXCEEDED",
    "Lock wait timeout exceeded; try restarting transaction (errno 1205)",
  ),
  "psdb-permission": psdbError("PERMISSION_DENIED", "Access denied for user 'reader' (errno 1045)"),
  "psdb-500-html": html(500, "500 Internal Server Error"),
  "psdb-522": html(522, "Connection timed out"),
  "psdb-504": html(504, "504 Gateway Timeout"),
  "psdb-connect-401": json(401, { code: "unauthenticated", message: "invalid auth credentials" }),
  "psdb-garbage-200": { status: 200, body: "this is not JSON" },
};

/** Whether a request to the fault harness is meant for the faulty upstream rather than its control API. */
export function isUpstreamRequest(req: IncomingMessage): boolean {
  const path = req.url ?? "";
  return path.startsWith("/upstream") || path.startsWith("/psdb.v1alpha1.Database/");
}

/** Sends the canned answer the request's credential names, or 404 naming the known ones. */
export function answerFault(req: IncomingMessage, res: ServerResponse): void {
  req.resume();
  const answer = answers[scenarioOf(req.headers.authorization ?? "")];
  if (!answer) {
    res
      .writeHead(404, { "content-type": "text/plain" })
      .end(`no such fault; known: ${Object.keys(answers).join(", ")}`);
    return;
  }
  res.writeHead(answer.status, answer.type ? { "content-type": answer.type } : {}).end(answer.body);
}

function scenarioOf(authorization: string): string {
  const [scheme = "", credential = ""] = authorization.split(" ");
  if (scheme.toLowerCase() === "bearer") return credential;
  const decoded = Buffer.from(credential, "base64").toString("utf8");
  return decoded.slice(decoded.indexOf(":") + 1);
}
