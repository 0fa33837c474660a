import { methodNotAllowed } from "hono/method-not-allowed";
import { requestId } from "hono/request-id";
import { secureHeaders } from "hono/secure-headers";
import { timing } from "hono/timing";
import { Hono } from "hono/tiny";
import type { AppEnv } from "./env.ts";
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

/**
 * The whole API: one router per pattern, mounted under its prefix. Chained, so the app's type carries every
 * route and `hc<AppType>` knows each path, its input and its answer.
 */
export const app = base
  .route("/", metaRoutes)
  .route("/redis", redisRoutes)
  .route("/sql", sqlRoutes)
  .route("/timing", timingRoutes)
  .route("/", fetchRoutes)
  .route("/", crawlRoutes)
  .route("/", crawlJobRoutes);

// The document is built from these routes at build time (dev/build-assets.ts) and shipped as a static asset, so
// the Worker carries no JSON Schema generator; it is served through the Worker to get the API's headers.
app.get("/openapi.json", limitRate("read"), async (c) => {
  const asset = await c.env.ASSETS.fetch(new URL("/openapi.json", c.req.url));
  // Through Hono's context, so the answer gets the headers every answer carries (x-request-id, Server-Timing).
  return c.newResponse(asset.body, asset);
});

app.onError(handleError);
app.notFound(noRoute);
