import type { Server } from 'node:http';
import type { FastifyInstance } from 'fastify';
import type { Socket } from 'node:net';

/**
 * On close, drops the connections on which no byte of a request has arrived yet (a browser's pre-connect,
 * a load balancer's TCP check). Node's server.close() reaps only idle keep-alive connections; it leaves
 * these open until the connection timeout, so one of them would hold a graceful shutdown for that long.
 * Returns what to call when closing starts (before the listener stops: no new connection comes in between).
 */
export function silentConnectionsCloser(server: Server): () => void {
  const open = new Set<Socket>();
  server.on('connection', (socket: Socket) => {
    open.add(socket);
    socket.once('close', () => open.delete(socket));
  });
  return () => {
    for (const socket of open) if (socket.bytesRead === 0) socket.destroy();
  };
}

/**
 * Bounds the time a request's body may take to arrive. Node's request timeout covers the headers but
 * not a body that keeps trickling in once the request is in the app's hands (found by fuzzing: a body
 * sent a byte at a time held its connection 50-87 s past a 5 s timeout); a request still incomplete
 * `ms` after its headers has its connection closed.
 */
export function registerBodyDeadline(server: FastifyInstance, ms: number): void {
  server.addHook('onRequest', async (request, reply) => {
    const raw = request.raw;
    if (raw.complete) return;
    const timer = setTimeout(() => {
      if (!raw.complete) raw.socket?.destroy();
    }, ms);
    timer.unref();
    const clear = (): void => clearTimeout(timer);
    raw.once('end', clear);
    raw.once('close', clear);
    reply.raw.once('close', clear);
  });
}
