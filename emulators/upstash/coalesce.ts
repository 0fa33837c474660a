/**
 * Writes to the shared Redis connection, batched per event-loop turn. Under load many HTTP requests are parsed in
 * one turn, and each sends its command at once: corking the socket until the turn's check phase turns those into
 * one `writev` instead of one syscall each. The bench found socket writes to be most of the endpoint's CPU time.
 */
import type { Socket } from "node:net";
import type { RedisConnection } from "../backends/redis.ts";

const corked = new WeakSet<Socket>();

/**
 * Holds `conn`'s writes until the end of this event-loop turn (a no-op for the embedded fallback, which has no
 * socket). Call it right before sending.
 * @example batchWrites(shared); await shared.callBuffer("GET", "k");
 */
export function batchWrites(conn: RedisConnection): void {
  // ioredis keeps its current socket in `stream` (a new one after each reconnect).
  const socket = (conn as { stream?: Socket }).stream;
  if (!socket || corked.has(socket) || !socket.writable) return;
  corked.add(socket);
  socket.cork();
  setImmediate(() => {
    corked.delete(socket);
    socket.uncork();
  });
}
