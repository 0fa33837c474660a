import { html } from "hono/html";
import { type Html, page } from "./page.ts";

/** One pattern on the landing page: what it shows, the tutorial's Python, ours, and a form that runs it. */
interface Pattern {
  id: string;
  name: string;
  text: string;
  python: string;
  edge: string;
  form: Html;
}

const patterns: Pattern[] = [
  {
    id: "timing",
    name: "Async vs sync: 2.0 s or 1.0 s",
    text:
      "The tutorial calls a 1-second server twice: one call after the other takes 2 s, both at once take 1 s. " +
      "Here the waits are real subrequests to this Worker's own /timing/delay, timed on the Workers clock. " +
      "The compare page draws both runs on one axis, so the speedup is visible.",
    python: `async with aiohttp.ClientSession() as s:
    for url in urls:                      # ~2.0 s
        await (await s.get(url)).read()
    await asyncio.gather(*(s.get(u) for u in urls))  # ~1.0 s`,
    edge: `const wait = () => env.SELF.fetch(\`https://self/timing/delay?ms=\${ms}\`);
for (let i = 0; i < tasks; i++) await wait(); // sequential
await Promise.all(Array.from({ length: tasks }, wait)); // concurrent`,
    form: html`<form method="get" action="/timing/compare">
<label>tasks <input name="tasks" type="number" min="1" max="20" value="5"></label>
<label>ms each <input name="ms" type="number" min="0" max="5000" value="200"></label>
<button>Compare</button></form>`,
  },
  {
    id: "fetch",
    name: "Fan-out fetch",
    text:
      "The tutorial starts one aiohttp task per URL and waits for all; a failing host is one failed task. " +
      "POST /fetch does the same with at most six subrequests in flight (the Workers limit), a deadline per URL and " +
      "a guard against private addresses. Each URL gets its own entry, error included.",
    python: `async def fetch(s, url):
    async with s.get(url) as r:
        return url, len(await r.read())

tasks = [asyncio.create_task(fetch(s, u)) for u in urls]
done, _ = await asyncio.wait(tasks)`,
    edge: `const results = await Promise.allSettled(urls.map(async (url) => {
  const res = await fetch(url, { signal: AbortSignal.timeout(5000) });
  return { url, bytes: (await res.arrayBuffer()).byteLength };
}));`,
    form: html`<form method="post" action="/fetch">
<label>URLs, one a line <textarea name="urls" rows="3" cols="50" required>https://example.com/
https://example.org/</textarea></label>
<button>Fetch</button></form>`,
  },
  {
    id: "crawl",
    name: "Crawler",
    text:
      "The tutorial's crawler fetches pages concurrently and follows their links. GET /crawl stays on the start " +
      "URL's origin, obeys robots.txt, reads links with HTMLRewriter as the page streams in, and goes breadth-first " +
      "within maxPages and maxDepth.",
    python: `seen, level = {start}, [start]
while level:
    pages = await asyncio.gather(*(fetch(s, u) for u in level))
    level = [l for p in pages for l in links(p) if l not in seen]
    seen.update(level)`,
    edge: `await new HTMLRewriter().on("a[href]", {
  element(a) { links.add(new URL(a.getAttribute("href")!, base).href); },
}).transform(res).arrayBuffer();`,
    form: html`<form method="get" action="/crawl">
<label>start URL <input name="url" type="url" size="40" required value="https://example.com/"></label>
<label>max pages <input name="maxPages" type="number" min="1" max="200" value="10"></label>
<label>max depth <input name="maxDepth" type="number" min="0" max="5" value="2"></label>
<button>Crawl</button></form>`,
  },
  {
    id: "jobs",
    name: "Crawl jobs",
    text:
      "An asyncio task lives only as long as its process. A crawl job is the same crawl handed to a durable " +
      "Cloudflare primitive: it spreads over as many invocations as it needs and resumes after a restart. Its page " +
      "reloads itself until the job ends. Starting one is a write: this form works where writes are open " +
      "(npm run dev without API_TOKEN); elsewhere POST it with the bearer token.",
    python: `task = asyncio.create_task(crawl(start))  # gone if the process dies
...
pages = await task`,
    edge: `const res = await fetch("/crawl/jobs", { method: "POST", headers, body });
const job = await res.json(); // 202, { id, status: "queued", ... }
// GET /crawl/jobs/{id} until status is "completed"`,
    form: html`<form method="post" action="/crawl/jobs">
<label>start URL <input name="url" type="url" size="40" required value="https://example.com/"></label>
<label>max pages <input name="maxPages" type="number" min="1" max="10000" value="100"></label>
<button>Start job</button></form>`,
  },
  {
    id: "redis",
    name: "Redis hashes",
    text:
      "The tutorial writes a hash with aioredis and reads it back, then does it against two servers at once. " +
      "Upstash speaks Redis over HTTP, so the Worker needs no socket; each request is one round trip. " +
      "The fan-out reads the hash from every configured database at once.",
    python: `r = redis.asyncio.Redis(host=host, password=password)
await r.hset("car", mapping={"key1": 1, "key2": 2})
print(await r.hgetall("car"))
await r.aclose()`,
    edge: `const redis = new Redis({ url: env.UPSTASH_REDIS_REST_URL, token });
await redis.hset("car", { key1: 1, key2: 2 });
const all = await Promise.all(instances.map((db) => new Redis(db).hgetall("car")));`,
    form: html`<form method="get" action="/redis/fanout">
<label>key <input name="key" required value="car"></label>
<button>Read from every Redis</button></form>`,
  },
  {
    id: "sql",
    name: "SQL",
    text:
      "The tutorial connects with aiomysql, executes a query and fetches all rows, then queries two hosts at once. " +
      "PlanetScale's driver runs SQL over HTTP (or D1 when no DATABASE_URL is set), with every value a parameter. " +
      "The fan-out runs one GROUP BY on every database at once.",
    python: `conn = await aiomysql.connect(host=host, user=user, password=pw, db="cars")
async with conn.cursor() as cur:
    await cur.execute("SELECT make, COUNT(*) FROM cars GROUP BY make")
    print(await cur.fetchall())
conn.close()`,
    edge: `const conn = connect({ url: env.DATABASE_URL });
const { rows } = await conn.execute("SELECT * FROM cars WHERE make = ?", [make]);
await Promise.all(urls.map((url) => connect({ url }).execute(statsSql)));`,
    form: html`<form method="get" action="/sql/cars">
<label>make <input name="make" value="Toyota"></label>
<label>limit <input name="limit" type="number" min="1" max="100" value="10"></label>
<button>List cars (JSON)</button></form>
<p><a href="/sql/fanout">Stats from every SQL database, as a waterfall</a></p>`,
  },
];

/**
 * The landing page: each pattern in a few sentences, the tutorial's Python beside the edge TypeScript, and a plain
 * form that runs it (GET where the route is GET), so everything works without JavaScript.
 *
 * @example
 * ```ts
 * .get("/", endpoint(spec), htmlView(landingPage), (c) => c.json(index)); // browsers get this page
 * ```
 */
export function landingPage() {
  return page({
    title: "Python asyncio patterns, rebuilt for the edge",
    body: html`<p>Each pattern below runs from its form; browsers get a waterfall of when each step ran, curl gets
JSON. The <a href="/docs">API reference</a> lists every route.</p>
<ul>${patterns.map((p) => html`<li><a href="#${p.id}">${p.name}</a></li>`)}</ul>
${patterns.map(
  (p) => html`<section id="${p.id}"><h2>${p.name}</h2><p>${p.text}</p>
<div class="pair"><figure><figcaption>Python (asyncio)</figcaption><pre><code>${p.python}</code></pre></figure>
<figure><figcaption>Edge (TypeScript)</figcaption><pre><code>${p.edge}</code></pre></figure></div>
${p.form}</section>`,
)}`,
  });
}
