// What close() does to the connections it finds: a connection with no request in flight (one that has sent nothing
// yet, part of a request's head, or is idle between keep-alive requests) is closed at once; a request in flight is
// answered, then its connection closed (or closed at the request timeout). Without this, one silent client held a
// shutdown (`emekit serve` on SIGTERM) open for ever: Node's server.close() stops the timer that enforces
// requestTimeout, closeIdleConnections() passes over a connection that has not completed a request, and a
// connection answered while closing stayed open for its keep-alive timeout.
import type { Server } from 'node:http';
import type { Socket } from 'node:net';

/** Tracks `server`'s connections; the returned function, called when closing begins, closes them as above. */
export function connectionCloser(server: Server, requestTimeoutMs: number): () => void {
  const open = new Set<Socket>();
  const serving = new Set<Socket>();
  let closing = false;
  server.on('connection', (socket: Socket) => {
    open.add(socket);
    socket.once('close', () => {
      open.delete(socket);
      serving.delete(socket);
    });
  });
  server.on('request', (request, response) => {
    const socket = request.socket;
    serving.add(socket);
    response.once('close', () => {
      serving.delete(socket);
      // Answered while closing: the connection is not kept alive for another request.
      if (closing) socket.end();
    });
  });
  return () => {
    closing = true;
    for (const socket of open) if (!serving.has(socket)) socket.destroy();
    const deadline = setTimeout(() => server.closeAllConnections(), requestTimeoutMs).unref();
    server.once('close', () => clearTimeout(deadline));
  };
}
