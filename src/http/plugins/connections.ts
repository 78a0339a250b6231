import type { Server } from 'node:http';
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
