import http from 'node:http';
import type { AddressInfo } from 'node:net';
import type express from 'express';

export interface RunningServer {
  url: string;
  port: number;
  server: http.Server;
  /** stops accepting, lets requests in flight finish for up to `graceMs`, then cuts what is left */
  close(): Promise<void>;
}

/**
 * Listens and resolves once the port is bound, or rejects with the reason (EADDRINUSE, EACCES) instead of
 * leaving an unhandled 'error' event; express 5's `app.listen` would hand it to its callback.
 */
export function startHttpServer(
  app: express.Express,
  options: { host: string; port: number; graceMs?: number },
): Promise<RunningServer> {
  const graceMs = options.graceMs ?? 10_000;
  const server = http.createServer(app);
  // A slow client must not hold a socket open forever.
  server.headersTimeout = 30_000;
  server.requestTimeout = 60_000;
  return new Promise((resolve, reject) => {
    const onError = (err: NodeJS.ErrnoException) => {
      server.off('listening', onListening);
      const reason = err.code === 'EADDRINUSE' ? 'address already in use' : err.message;
      reject(
        Object.assign(new Error(`cannot listen on ${options.host}:${options.port}: ${reason}`, { cause: err }), {
          code: err.code,
        }),
      );
    };
    const onListening = () => {
      server.off('error', onError);
      const { port } = server.address() as AddressInfo;
      const host = options.host.includes(':') ? `[${options.host}]` : options.host;
      resolve({ url: `http://${host}:${port}`, port, server, close: () => closeServer(server, graceMs) });
    };
    server.once('error', onError);
    server.once('listening', onListening);
    server.listen(options.port, options.host);
  });
}

function closeServer(server: http.Server, graceMs: number): Promise<void> {
  if (!server.listening) return Promise.resolve();
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => server.closeAllConnections(), graceMs);
    timer.unref();
    server.close((err) => {
      clearTimeout(timer);
      if (err) reject(err);
      else resolve();
    });
    // Keep-alive sockets with no request in flight would otherwise hold close() for their whole timeout.
    server.closeIdleConnections();
  });
}
