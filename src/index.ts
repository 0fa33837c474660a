import { requestId } from "hono/request-id";
import { secureHeaders } from "hono/secure-headers";
import { timing } from "hono/timing";
import { createRouter } from "./lib/router.ts";
import { corsFromEnv } from "./middleware/cors.ts";
import { handleError, notFoundOrWrongMethod } from "./middleware/errors.ts";
import { jsonUtf8 } from "./middleware/json-utf8.ts";
import { rateLimit } from "./middleware/rate-limit.ts";
import { crawl } from "./routes/crawl.ts";
import { fetchRoutes } from "./routes/fetch.ts";
import { meta } from "./routes/meta.ts";
import { redis } from "./routes/redis.ts";
import { sql } from "./routes/sql.ts";
import { timing as timingRoutes } from "./routes/timing.ts";

const app = createRouter();

app.use(requestId({ limitLength: 128 }));
app.use(timing({ total: true }));
app.use(secureHeaders());
app.use(jsonUtf8());
app.use(corsFromEnv());
app.use(rateLimit());

app.route("/", meta);
app.route("/redis", redis);
app.route("/sql", sql);
app.route("/timing", timingRoutes);
app.route("/", fetchRoutes);
app.route("/", crawl);

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
