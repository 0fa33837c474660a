/**
 * The baseline of the startup ratio (issue 12): a one-route Hono app, bundled and profiled exactly like our Worker,
 * so the ratio shows what our code and dependencies add to a cold start beyond Hono itself.
 */
import { Hono } from "hono";

const app = new Hono();

app.get("/", (c) => c.text("Hello World!"));

export default app;
