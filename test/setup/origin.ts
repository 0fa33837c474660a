import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";

/**
 * A small website on 127.0.0.1 for the /fetch and /crawl tests and benchmarks. Tests run inside workerd and
 * can only talk HTTP to it, so it reports on itself over HTTP too:
 *
 * - `GET /__stats`: `{inFlight, peak, requests, aborted}`: requests in flight now and at most, every request
 *   as `"METHOD /path?query"` in arrival order, and the paths whose answer was cut off by the client.
 * - `POST /__reset`: forgets the above. `POST /__release/<key>`: lets `/held/<key>` answer.
 * - `POST /__sites[?robots=STATUS]`: starts a fresh instance on its own port and answers `{url}`; with
 *   `robots`, its robots.txt answers that status instead of the rules below. Test files run in parallel,
 *   so each test that reads the log or the peak takes its own site instead of sharing this one.
 *
 * Pages (all HTML unless noted; any page takes `?delay=MS` to answer late):
 * - `/robots.txt`: disallows `/private/`, `/site/secret.html` and `/robots-blocked/` for every agent.
 * - `/site/`: a 12-page site of relative, absolute, fragment, `<base href>`, other-origin and non-http links,
 *   plus a JSON file, a 404, a 500 and a redirect.
 * - `/grid/<pages>/<ms>/`: an index linking to `<pages> - 1` pages that each answer after `<ms>`;
 *   `/grid/48/100/` is the benchmark site. `/chain/<i>`: page i links to page i + 1, up to 20.
 * - `/redirect/<n>`: n redirects, then a page. `/loop/a` and `/loop/b` redirect to each other.
 *   `/redirect-to?location=URL` redirects anywhere.
 * - `/status/<code>`, `/slow/<ms>`, `/hang` (never answers), `/held/<key>` (answers when released),
 *   `/huge` (10 MiB of HTML, chunked), `/huge-declared` (the same with content-length), `/huge.bin`
 *   (10 MiB, not HTML). `/trouble/` links to one of each of these failures; `/stream/<key>/` links to
 *   `/held/<key>` and to a page that answers at once.
 * - `/dup/`: 301 redirects onto pages a crawl already has. `/dup/docs/` links to `/dup/docs` (301 to
 *   `/dup/docs/` itself), `/dup/b` and `/dup/alias` (301 to `/dup/b`); `/dup/twins/` links to `/dup/old-1`
 *   and `/dup/old-2`, which both 301 to `/dup/new`.
 */
export interface Origin {
  url: string;
  close(): Promise<void>;
}

interface SiteState {
  robotsStatus: number;
  inFlight: number;
  peak: number;
  requests: string[];
  aborted: string[];
  held: Map<string, () => void>;
  released: Set<string>;
}

const HUGE_BYTES = 10 * 1024 * 1024;
const FAST_BYTES = 3 * 1024 * 1024;

/**
 * Starts the origin on a random loopback port; `close()` also closes every site it started.
 *
 * @example
 * ```ts
 * const origin = await startOrigin();
 * bindings.TEST_ORIGIN_URL = origin.url;
 * ```
 */
export async function startOrigin(): Promise<Origin> {
  const sites: Origin[] = [];
  const root = await startSite(200, async (robotsStatus) => {
    const site = await startSite(robotsStatus);
    sites.push(site);
    return site.url;
  });
  return {
    url: root.url,
    async close() {
      await Promise.all([root, ...sites].map((site) => site.close()));
    },
  };
}

type NewSite = (robotsStatus: number) => Promise<string>;

async function startSite(robotsStatus: number, newSite?: NewSite): Promise<Origin> {
  const state: SiteState = {
    robotsStatus,
    inFlight: 0,
    peak: 0,
    requests: [],
    aborted: [],
    held: new Map(),
    released: new Set(),
  };
  const server = createServer(function handle(req, res) {
    const url = new URL(req.url ?? "/", `http://${req.headers.host ?? "127.0.0.1"}`);
    if (url.pathname.startsWith("/__")) {
      control(state, url, res, newSite).catch((error: unknown) =>
        send(res, 500, "text/plain", String(error)),
      );
      return;
    }
    track(state, req, res, `${req.method} ${url.pathname}${url.search}`);
    const delay = Number(url.searchParams.get("delay") ?? 0);
    setTimeout(() => serve(state, url, res, req.headers.accept ?? ""), delay);
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  return { url: `http://127.0.0.1:${port}`, close: () => closeServer(server) };
}

function closeServer(server: Server): Promise<void> {
  // `/hang` and `/held` keep sockets open forever; close them rather than wait.
  server.closeAllConnections();
  return new Promise((resolve) => server.close(() => resolve()));
}

const finishers = new WeakMap<ServerResponse, () => void>();

// In flight from arrival until the server ends the answer (or the client gives up). Counting down just
// before end(), rather than on "finish", means the count has always dropped before the client can read the
// last byte and start its next request, so the peak seen here never runs ahead of the client's own.
function track(state: SiteState, req: IncomingMessage, res: ServerResponse, line: string): void {
  state.requests.push(line);
  state.inFlight++;
  state.peak = Math.max(state.peak, state.inFlight);
  let done = false;
  const finish = () => {
    if (done) return;
    done = true;
    state.inFlight--;
  };
  finishers.set(res, finish);
  res.once("close", () => {
    if (!res.writableFinished) state.aborted.push(line);
    finish();
  });
  req.resume();
}

function end(res: ServerResponse, body?: string): void {
  finishers.get(res)?.();
  res.end(body);
}

async function control(state: SiteState, url: URL, res: ServerResponse, newSite?: NewSite) {
  const [action, key = ""] = url.pathname.slice("/__".length).split("/");
  if (action === "stats") {
    const { inFlight, peak, requests, aborted } = state;
    return send(res, 200, "application/json", JSON.stringify({ inFlight, peak, requests, aborted }));
  }
  if (action === "reset") {
    state.peak = state.inFlight;
    state.requests = [];
    state.aborted = [];
    return send(res, 204);
  }
  if (action === "release") {
    const hold = state.held.get(key);
    if (hold) hold();
    else state.released.add(key);
    return send(res, 204);
  }
  if (action === "sites" && newSite) {
    const site = await newSite(Number(url.searchParams.get("robots") ?? 200));
    return send(res, 201, "application/json", JSON.stringify({ url: site }));
  }
  return send(res, 404, "text/plain", "No such control endpoint.");
}

function serve(state: SiteState, url: URL, res: ServerResponse, accept: string) {
  const path = url.pathname;
  const [first = "", second = "", third = "", fourth] = path.split("/").filter(Boolean);
  if (path === "/robots.txt") {
    const { robotsStatus } = state;
    return send(
      res,
      robotsStatus,
      "text/plain",
      robotsStatus === 200 ? robotsTxt : `Status ${robotsStatus}.`,
    );
  }
  const page = sitePages[path];
  if (page) return send(res, 200, "text/html; charset=utf-8", render(page, url.origin));
  if (path === "/site/data.json") return send(res, 200, "application/json", dataJson);
  // Content negotiation, like this Worker's own index: HTML only for clients that ask for it.
  if (path === "/negotiated/") {
    return accept.includes("text/html")
      ? send(res, 200, "text/html", html("Negotiated", ["/negotiated/next"]))
      : send(res, 200, "application/json", '{"links":[]}');
  }
  if (path === "/site/broken.html") return send(res, 500, "text/plain", "Broken on purpose.");
  if (path === "/site/moved") return redirect(res, "/site/landing.html");
  const moved = movedPermanently[path];
  if (moved) return redirect(res, moved, 301);
  if (first === "grid")
    return send(res, 200, "text/html", gridPage(Number(second), third, fourth), Number(third));
  if (first === "chain") return send(res, 200, "text/html", chainPage(Number(second)));
  if (first === "redirect") {
    const left = Number(second);
    return left > 0
      ? redirect(res, `/redirect/${left - 1}`)
      : send(res, 200, "text/html", html("Arrived", []));
  }
  if (first === "loop") return redirect(res, second === "a" ? "/loop/b" : "/loop/a");
  if (first === "redirect-to") return redirect(res, url.searchParams.get("location") ?? "/");
  if (first === "status") return send(res, Number(second), "text/plain", `Status ${second}.`);
  if (first === "slow") return send(res, 200, "text/html", html("Slow", []), Number(second));
  if (first === "hang") return;
  if (first === "held")
    return hold(state, second, () => send(res, 200, "text/html", html(`Held ${second}`, [])));
  if (first === "huge") return streamHuge(res, "text/html", false);
  if (first === "huge-declared") return streamHuge(res, "text/html", true);
  if (first === "huge.bin") return streamHuge(res, "application/octet-stream", false);
  if (first === "trouble") return send(res, 200, "text/html", html("Trouble", troubleLinks));
  if (first === "stream") return send(res, 200, "text/html", streamPage(second, third));
  send(res, 404, "text/plain", "Not found.");
}

function send(res: ServerResponse, status: number, type?: string, body = "", delay = 0): void {
  setTimeout(() => {
    if (res.destroyed) return;
    res.writeHead(status, type ? { "content-type": type } : {});
    end(res, body);
  }, delay);
}

function redirect(res: ServerResponse, location: string, status = 302): void {
  res.writeHead(status, { location, "content-type": "text/plain" });
  end(res, `See ${location}.`);
}

function hold(state: SiteState, key: string, answer: () => void) {
  if (state.released.delete(key)) return answer();
  state.held.set(key, () => {
    state.held.delete(key);
    answer();
  });
}

// Writes 10 MiB in 64 KiB chunks, never past `drain`: the first 3 MiB at full speed, the rest one chunk
// every 50 ms, so reading it all takes about six seconds. A client that answers quickly must have stopped
// reading early. (Whether the connection then closes is the client runtime's call: workerd sometimes
// drains a cancelled body in the background to reuse the connection, so `aborted` cannot tell.)
function streamHuge(res: ServerResponse, type: string, declared: boolean): void {
  res.writeHead(200, { "content-type": type, ...(declared ? { "content-length": HUGE_BYTES } : {}) });
  const chunk = Buffer.alloc(64 * 1024, "<p>padding</p>\n");
  let sent = 0;
  const pump = () => {
    if (res.destroyed) return;
    if (sent >= HUGE_BYTES) return end(res);
    sent += chunk.byteLength;
    if (!res.write(chunk)) res.once("drain", pump);
    else if (sent < FAST_BYTES) setImmediate(pump);
    else setTimeout(pump, 50);
  };
  pump();
}

interface Page {
  title: string;
  links: string[];
  head?: string;
}

const robotsTxt = `# Rules for the test site
User-agent: OtherBot
Disallow: /

User-agent: *
Disallow: /private/
Disallow: /site/secret.html
Disallow: /robots-blocked/
`;

const dataJson = JSON.stringify({ note: 'Not HTML, so <a href="/site/never.html">this</a> is not a link.' });

// `{origin}` becomes the site's own origin, spelled in capitals to test normalisation.
const sitePages: Record<string, Page> = {
  "/site/": {
    title: "Home &amp; index",
    links: [
      "about.html",
      "./docs/",
      "docs/a.html#intro",
      "/site/about.html#team",
      "{ORIGIN}/site/./about.html",
      "secret.html",
      "/private/report.html",
      "https://other.example/elsewhere",
      "mailto:someone@example.com",
      "javascript:void(0)",
      "data.json",
      "missing.html",
      "broken.html",
      "moved",
      "#top",
      "",
    ],
  },
  "/site/about.html": { title: "About", links: ["/site/", "../site/docs/"] },
  "/site/docs/": {
    title: "Docs",
    head: '<base href="/site/docs/base/">',
    links: ["b.html", "/site/docs/a.html"],
  },
  "/site/docs/a.html": { title: "A", links: ["deep/c.html"] },
  "/site/docs/base/b.html": { title: "B", links: [] },
  "/site/docs/deep/c.html": { title: "C", links: ["d.html"] },
  "/site/docs/deep/d.html": { title: "D", links: ["/site/"] },
  "/site/landing.html": { title: "Landing", links: ["landing-next.html"] },
  "/site/landing-next.html": { title: "After the redirect", links: [] },
  "/site/secret.html": { title: "Secret", links: [] },
  "/private/report.html": { title: "Private", links: [] },
  "/dup/docs/": { title: "Dup docs", links: ["/dup/docs", "/dup/b", "/dup/alias"] },
  "/dup/b": { title: "Dup B", links: ["/dup/docs/"] },
  "/dup/twins/": { title: "Twins", links: ["/dup/old-1", "/dup/old-2"] },
  "/dup/new": { title: "New home", links: ["/dup/twins/", "/dup/old-1"] },
};

const movedPermanently: Record<string, string> = {
  "/dup/docs": "/dup/docs/",
  "/dup/alias": "/dup/b",
  "/dup/old-1": "/dup/new",
  "/dup/old-2": "/dup/new",
};

function render(page: Page, origin: string): string {
  const links = page.links.map((href) => href.replace("{ORIGIN}", origin.toUpperCase()));
  return html(page.title, links, page.head);
}

function gridPage(pages: number, ms: string, index: string | undefined): string {
  const prefix = `/grid/${pages}/${ms}/`;
  const all = Array.from({ length: pages - 1 }, (_, i) => `${prefix}${i + 1}`);
  if (index === undefined) return html(`Grid of ${pages}`, all);
  const next = (Number(index) % (pages - 1)) + 1;
  return html(`Grid page ${index}`, [prefix, `${prefix}${next}`]);
}

// One link to each way a page can fail, for a crawl to report one by one.
const troubleLinks = [
  "/slow/10",
  "/hang",
  "/status/500",
  "/status/404",
  "/huge",
  "/huge-declared",
  "/huge.bin",
  "/redirect/2",
  "/loop/a",
  "/redirect-to?location=https%3A%2F%2Fother.example%2F",
  "/redirect-to?location=%2Fprivate%2Freport.html",
  "/redirect-to?location=http%3A%2F%2F169.254.169.254%2Flatest%2Fmeta-data%2F",
  "http://127.0.0.1:1/",
];

// `/stream/<key>/` links to a page held until `<key>` is released and to one that answers at once.
function streamPage(key: string, page: string): string {
  if (page === "fast") return html("Fast", []);
  return html(`Stream ${key}`, [`/held/${key}`, `/stream/${key}/fast`]);
}

function chainPage(i: number): string {
  return html(`Chain ${i}`, i < 20 ? [`/chain/${i + 1}`] : []);
}

function html(title: string, links: string[], head = ""): string {
  const anchors = links.map((href) => `<a href="${href.replaceAll('"', "&quot;")}">link</a>`).join("\n");
  return `<!doctype html><html><head>${head}<title>${title}</title></head><body>\n${anchors}\n</body></html>\n`;
}
