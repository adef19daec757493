import http from 'node:http';
import type { AddressInfo } from 'node:net';

export interface LoadBalancer {
  url: string;
  close(): Promise<void>;
}

/**
 * A load balancer without stickiness on loopback: each request goes, as it is, to the base URL `pick` names for
 * its path (a test says which replica answers what).
 */
export async function startLoadBalancer(pick: (path: string) => string): Promise<LoadBalancer> {
  const server = http.createServer((req, res) => {
    const target = new URL(req.url ?? '/', pick(new URL(req.url ?? '/', 'http://lb').pathname));
    const upstream = http.request(target, { method: req.method, headers: req.headers }, (answer) => {
      res.writeHead(answer.statusCode ?? 502, answer.headers);
      answer.pipe(res);
    });
    upstream.on('error', () => res.writeHead(502).end());
    req.pipe(upstream);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}
