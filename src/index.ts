import { requestId } from "hono/request-id";
import { secureHeaders } from "hono/secure-headers";
import { timing } from "hono/timing";
import { createRouter } from "./lib/router.ts";
import { corsFromEnv } from "./middleware/cors.ts";
import { handleError, notFoundOrWrongMethod } from "./middleware/errors.ts";
import { jsonUtf8 } from "./middleware/json-utf8.ts";
import { rateLimit } from "./middleware/rate-limit.ts";
import { crawlRoutes } from "./routes/crawl.ts";
import { fetchRoutes } from "./routes/fetch.ts";
import { metaRoutes } from "./routes/meta.ts";
import { redisRoutes } from "./routes/redis.ts";
import { sqlRoutes } from "./routes/sql.ts";
import { timingRoutes } from "./routes/timing.ts";

const app = createRouter();

app.use(requestId({ limitLength: 128 }));
app.use(timing({ total: true }));
app.use(secureHeaders());
app.use(jsonUtf8());
app.use(corsFromEnv());
app.use(rateLimit());

app.route("/", metaRoutes);
app.route("/redis", redisRoutes);
app.route("/sql", sqlRoutes);
app.route("/timing", timingRoutes);
app.route("/", fetchRoutes);
app.route("/", crawlRoutes);

app.doc31("/openapi.json", {
  openapi: "3.1.0",
  info: {
    title: "edge-async-patterns",
    version: "0.1.0",
    description:
      "Python asyncio tutorial patterns (aioredis, aiomysql, aiohttp, async vs sync) rebuilt as Cloudflare Workers " +
      "edge functions. Every error has the shape `{error: {code, message, requestId}}`.",
  },
});

app.onError(handleError);
app.notFound(notFoundOrWrongMethod(app));

export default app;
export { CrawlJob } from "./jobs/crawl-job.ts";
