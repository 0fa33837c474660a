/**
 * Both endpoints run as Hono apps on @hono/node-server: listening (a clear error when the port is taken), the 400
 * for requests too malformed to reach Hono, and a close that ends open connections, SSE streams included.
 */
import { once } from "node:events";
import type { Server } from "node:http";
import type { AddressInfo, Socket } from "node:net";
import { createAdaptorServer } from "@hono/node-server";
import type { Hono } from "hono";

/**
 * A listening endpoint.
 * @example const { port, close } = await listen(app, { port: 0, name: "Upstash endpoint" });
 */
export interface Listening {
  /** http://host:port (IPv6 hosts in brackets), without a trailing slash. */
  origin: string;
  host: string;
  port: number;
  close(): Promise<void>;
}

/**
 * Serves `app` on `host:port` (port 0 picks a free one) and resolves once it listens.
 * @throws Error naming `name` and the address when it cannot listen (e.g. EADDRINUSE).
 * @example
 * const endpoint = await listen(app, { port: 8079, name: "Upstash endpoint", badRequestBody: '{"error":"ERR bad request"}' });
 * await endpoint.close();
 */
export async function listen(
  app: Hono,
  options: { port: number; host?: string; name: string; badRequestBody: string },
): Promise<Listening> {
  const host = options.host ?? "127.0.0.1";
  const server = createAdaptorServer({ fetch: app.fetch, hostname: host }) as Server;
  // A request Node cannot even parse never reaches Hono; it still gets the endpoint's error shape.
  server.on("clientError", (_error: Error, socket: Socket) => {
    const head = "HTTP/1.1 400 Bad Request\r\ncontent-type: application/json\r\nconnection: close";
    if (socket.writable) socket.end(`${head}\r\n\r\n${options.badRequestBody}`);
  });
  server.listen(options.port, host);
  await once(server, "listening").catch((error: unknown) => {
    throw new Error(`${options.name} cannot listen on ${host}:${options.port}: ${String(error)}`);
  });
  const { port } = server.address() as AddressInfo;
  return {
    origin: `http://${host.includes(":") ? `[${host}]` : host}:${port}`,
    host,
    port,
    async close() {
      const closed = new Promise<void>((done) => server.close(() => done()));
      server.closeAllConnections();
      await closed;
    },
  };
}
