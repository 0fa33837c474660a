import { app } from "./app.ts";

/** The routes' types, for a typed client: `hc<AppType>("https://…")`. */
export type AppType = typeof app;

export default app;
export { CrawlJob } from "./jobs/crawl-job.ts";
