import { Hono } from "hono";
import { methodNotAllowed } from "hono/method-not-allowed";
import { requestId } from "hono/request-id";
import { secureHeaders } from "hono/secure-headers";
import { timing } from "hono/timing";
import type { AppEnv } from "./env.ts";
import { buildOpenApi } from "./lib/openapi-document.ts";
import { corsFromEnv } from "./middleware/cors.ts";
import { handleError, noRoute, wrongMethod } from "./middleware/errors.ts";
import { jsonUtf8 } from "./middleware/json-utf8.ts";
import { limitRate } from "./middleware/rate-limit.ts";
import { crawlRoutes } from "./routes/crawl.ts";
import { crawlJobRoutes } from "./routes/crawl-jobs.ts";
import { fetchRoutes } from "./routes/fetch.ts";
import { metaRoutes } from "./routes/meta.ts";
import { redisRoutes } from "./routes/redis.ts";
import { sqlRoutes } from "./routes/sql.ts";
import { timingRoutes } from "./routes/timing.ts";

const base = new Hono<AppEnv>();
base.use(requestId({ limitLength: 128 }));
base.use(timing({ total: true }));
base.use(secureHeaders());
base.use(jsonUtf8());
base.use(corsFromEnv());
base.use(methodNotAllowed({ app: base, onMethodNotAllowed: wrongMethod }));

// Chained, so the app's type carries every route: `hc<AppType>` then knows each path, its input and its answer.
const app = base
  .route("/", metaRoutes)
  .route("/redis", redisRoutes)
  .route("/sql", sqlRoutes)
  .route("/timing", timingRoutes)
  .route("/", fetchRoutes)
  .route("/", crawlRoutes)
  .route("/", crawlJobRoutes);

let openApiDocument: ReturnType<typeof buildOpenApi> | undefined;
app.get("/openapi.json", limitRate("read"), (c) => {
  // Built on first request from the routes actually mounted, then kept for the isolate's life.
  openApiDocument ??= buildOpenApi(app.routes, {
    title: "edge-async-patterns",
    version: "0.1.0",
    description:
      "Python asyncio tutorial patterns (aioredis, aiomysql, aiohttp, async vs sync) rebuilt as Cloudflare Workers " +
      "edge functions. Every error has the shape `{error: {code, message, requestId}}`.",
  });
  return c.json(openApiDocument);
});

app.onError(handleError);
app.notFound(noRoute);

/** The routes' types, for a typed client: `hc<AppType>("https://…")`. */
export type AppType = typeof app;

export default app;
export { CrawlJob } from "./jobs/crawl-job.ts";
