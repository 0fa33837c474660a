/**
 * MySQL errors → psdb `RPCError` ({code, message}) the way Vitess' tablet server classifies them, and the line
 * between an SQL error (HTTP 200 with `error`) and a lost or unreachable backend (HTTP 503).
 */

/**
 * psdb `RPCError`: vtrpc.Code name and a Vitess-style message.
 * @example { code: "NOT_FOUND", message: "target: app.0.primary: … (errno 1146) (sqlstate 42S02) …" }
 */
export interface RpcError {
  code: string;
  message: string;
}

/**
 * An error the MySQL server itself answered with (an ERR packet), as mysql2 reports it.
 * @example if (isServerError(error)) console.log(error.errno, error.sqlState);
 */
export interface MysqlServerError extends Error {
  errno: number;
  sqlState: string;
  sqlMessage?: string;
}

/**
 * The backend cannot be reached or the connection broke: answered with HTTP 503 `unavailable`.
 * @example throw new BackendUnavailableError("MySQL at 127.0.0.1:3306 is unreachable: connect ECONNREFUSED");
 */
export class BackendUnavailableError extends Error {
  override name = "BackendUnavailableError";
}

/** Errnos per vtrpc code, from Vitess' `convertErrorCode` (tabletserver); anything else is UNKNOWN. */
const ERRNOS_BY_CODE: Record<string, number[]> = {
  UNIMPLEMENTED: [1235],
  RESOURCE_EXHAUSTED: [1021, 1037, 1038, 1040, 1041, 1114, 1129, 1135, 1151, 1153, 1203, 1206, 1226],
  DEADLINE_EXCEEDED: [1205, 2013],
  UNAVAILABLE: [1053, 2006],
  NOT_FOUND: [1029, 1032, 1054, 1094, 1109, 1122, 1141, 1146, 1147, 1176],
  PERMISSION_DENIED: [1044, 1045, 1095, 1211, 1227],
  FAILED_PRECONDITION: [
    1046, 1082, 1091, 1099, 1100, 1104, 1148, 1162, 1165, 1169, 1173, 1179, 1207, 1215, 1216, 1217, 1223,
    1230, 1241, 1242, 1288, 1289, 1291, 1451, 1452,
  ],
  ALREADY_EXISTS: [1050, 1062, 1086, 1125],
  ABORTED: [1078, 1080, 1152, 1213],
  INVALID_ARGUMENT: [
    1047, 1048, 1049, 1051, 1052, 1055, 1056, 1057, 1058, 1059, 1060, 1061, 1063, 1064, 1065, 1066, 1067,
    1068, 1069, 1070, 1071, 1072, 1073, 1074, 1075, 1083, 1084, 1085, 1089, 1090, 1093, 1096, 1097, 1101,
    1102, 1103, 1106, 1107, 1108, 1110, 1111, 1113, 1115, 1116, 1117, 1118, 1120, 1121, 1128, 1136, 1138,
    1139, 1140, 1144, 1149, 1166, 1167, 1170, 1171, 1172, 1193, 1204, 1210, 1221, 1222, 1225, 1228, 1229,
    1231, 1232, 1233, 1234, 1238, 1239, 1240, 1245, 1247, 1248, 1250, 1253, 1264, 1267, 1270, 1271, 1272,
    1273, 1280, 1281, 1283, 1292, 1293, 1294, 1298, 1300, 1366, 1406,
  ],
};

const CODE_BY_ERRNO = new Map(
  Object.entries(ERRNOS_BY_CODE).flatMap(([code, errnos]) => errnos.map((errno) => [errno, code] as const)),
);

/** ER_OPTION_PREVENTS_STATEMENT and ER_SPECIFIC_ACCESS_DENIED_ERROR: Vitess reads the message for these two. */
const OPTION_PREVENTS_STATEMENT = 1290;
const SPECIFIC_ACCESS_DENIED = 1227;
const MAX_SQL_IN_MESSAGE = 1000;

/**
 * The vtrpc code Vitess reports for a MySQL errno.
 * @example vtrpcCode(1146, "Table 'app.t' doesn't exist") // "NOT_FOUND"
 */
export function vtrpcCode(errno: number, message: string): string {
  const readOnly = errno === OPTION_PREVENTS_STATEMENT && message.includes("read-only");
  const failover = errno === SPECIFIC_ACCESS_DENIED && message.includes("failover in progress");
  if (readOnly || failover) return "FAILED_PRECONDITION";
  return CODE_BY_ERRNO.get(errno) ?? "UNKNOWN";
}

/**
 * Whether mysql2 reports an answer from the server (errno + SQLSTATE) rather than a broken or refused connection.
 * @example isServerError(Object.assign(new Error("x"), { errno: 1064, sqlState: "42000" })) // true
 */
export function isServerError(error: unknown): error is MysqlServerError {
  if (!(error instanceof Error)) return false;
  const fields = error as Partial<MysqlServerError> & { fatal?: boolean };
  return (
    typeof fields.errno === "number" &&
    fields.errno > 0 &&
    typeof fields.sqlState === "string" &&
    !fields.fatal
  );
}

/**
 * An SQL error as PlanetScale words it, keeping Vitess' `(errno N) (sqlstate S)` that clients parse.
 * @example
 * toRpcError(err, { database: "app", username: "root", sql: "selec 1" }).message
 * // "target: app.0.primary: vttablet: rpc error: code = InvalidArgument desc = You have an error ... (errno 1064) (sqlstate 42000) (CallerID: root): Sql: \"selec 1\", BindVars: {}"
 */
export function toRpcError(
  error: MysqlServerError,
  context: { database: string; username: string; sql: string },
): RpcError {
  const text = error.sqlMessage ?? error.message;
  const code = vtrpcCode(error.errno, text);
  const sql =
    context.sql.length > MAX_SQL_IN_MESSAGE
      ? `${context.sql.slice(0, MAX_SQL_IN_MESSAGE)} [TRUNCATED]`
      : context.sql;
  const message =
    `target: ${context.database}.0.primary: vttablet: rpc error: code = ${grpcName(code)} desc = ${text} ` +
    `(errno ${error.errno}) (sqlstate ${error.sqlState}) (CallerID: ${context.username}): ` +
    `Sql: ${JSON.stringify(sql)}, BindVars: {}`;
  return { code, message };
}

/** gRPC's status names: NOT_FOUND → NotFound. */
function grpcName(code: string): string {
  return code.toLowerCase().replace(/(?:^|_)([a-z])/g, (_, letter: string) => letter.toUpperCase());
}
