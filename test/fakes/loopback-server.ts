import fs from 'node:fs';
import http from 'node:http';
import https from 'node:https';
import type { AddressInfo, Socket } from 'node:net';

/** A canned answer that replaces the fake's normal response. */
export interface FaultResponse {
  status: number;
  headers?: Record<string, string>;
  body?: string;
}

/**
 * - a FaultResponse: answered instead of the real route
 * - 'stall': headers never come (the client must time out)
 * - 'malformed': 200 with a JSON content type and a truncated body
 * - 'reset': the socket is destroyed without an answer
 */
export type FaultAction = FaultResponse | 'stall' | 'malformed' | 'reset';

export interface Fault {
  /** matched against the path (no query) */
  path?: RegExp;
  /** matched against the raw query string (without `?`) */
  query?: RegExp;
  method?: string;
  /** let this many matching requests through first */
  skip?: number;
  /** how many matching requests it answers; Infinity makes it permanent. Default 1. */
  times?: number;
  action: FaultAction;
}

export interface RecordedRequest {
  method: string;
  path: string;
  query: URLSearchParams;
  rawQuery: string;
  headers: http.IncomingHttpHeaders;
  status: number;
  fault: boolean;
  /** Date.now() on arrival */
  at: number;
}

export interface RouteContext {
  method: string;
  path: string;
  query: URLSearchParams;
  rawQuery: string;
  headers: http.IncomingHttpHeaders;
  body: string;
  /** scheme://127.0.0.1:port, for absolute links */
  origin: string;
}

export interface RouteResult {
  status: number;
  headers?: Record<string, string | string[]>;
  /** serialised as JSON unless it is already a string */
  body?: unknown;
}

export type Route = (ctx: RouteContext) => RouteResult | Promise<RouteResult>;

export interface LoopbackServer {
  readonly origin: string;
  readonly port: number;
  /** every request the fake answered, in arrival order */
  readonly requests: RecordedRequest[];
  inject(fault: Fault): void;
  clearFaults(): void;
  /** number of requests whose path matches */
  count(path?: RegExp): number;
  close(): Promise<void>;
}

const TLS_DIR = new URL('../fixtures/tls/', import.meta.url);

/** The committed self-signed pair (SAN IP:127.0.0.1, DNS:localhost); trusted through NODE_EXTRA_CA_CERTS. */
export function readTestTls(): { cert: Buffer; key: Buffer } {
  return { cert: fs.readFileSync(new URL('cert.pem', TLS_DIR)), key: fs.readFileSync(new URL('key.pem', TLS_DIR)) };
}

interface ArmedFault extends Fault {
  seen: number;
  used: number;
}

/** An http(s) server on 127.0.0.1, port 0, with fault injection and a request log, in front of one route function. */
export async function startLoopbackServer(options: {
  tls: boolean;
  route: Route;
  /** Content-Type for 'malformed' answers */
  jsonType?: string;
}): Promise<LoopbackServer> {
  const faults: ArmedFault[] = [];
  const requests: RecordedRequest[] = [];
  let origin = '';

  const handler = (req: http.IncomingMessage, res: http.ServerResponse): void => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      void answer(req, res, Buffer.concat(chunks).toString('utf8'));
    });
  };

  async function answer(req: http.IncomingMessage, res: http.ServerResponse, body: string): Promise<void> {
    const url = new URL(req.url ?? '/', origin);
    const method = req.method ?? 'GET';
    const rawQuery = url.search.replace(/^\?/, '');
    const record: RecordedRequest = {
      method,
      path: url.pathname,
      query: url.searchParams,
      rawQuery,
      headers: req.headers,
      status: 0,
      fault: false,
      at: Date.now(),
    };
    requests.push(record);
    const fault = takeFault(method, url.pathname, rawQuery);
    if (fault) {
      record.fault = true;
      if (fault === 'stall') return;
      if (fault === 'reset') {
        req.socket.destroy();
        return;
      }
      if (fault === 'malformed') {
        record.status = 200;
        res.writeHead(200, { 'Content-Type': options.jsonType ?? 'application/json' });
        res.end('{"value": [{"id": "trunc');
        return;
      }
      record.status = fault.status;
      res.writeHead(fault.status, { 'Content-Type': options.jsonType ?? 'application/json', ...fault.headers });
      res.end(fault.body ?? '');
      return;
    }
    let result: RouteResult;
    try {
      result = await options.route({
        method,
        path: url.pathname,
        query: url.searchParams,
        rawQuery,
        headers: req.headers,
        body,
        origin,
      });
    } catch (err) {
      result = { status: 500, body: { error: String(err) } };
    }
    record.status = result.status;
    const text =
      result.body === undefined ? '' : typeof result.body === 'string' ? result.body : JSON.stringify(result.body);
    res.writeHead(result.status, { 'Content-Type': options.jsonType ?? 'application/json', ...result.headers });
    res.end(text);
  }

  function takeFault(method: string, path: string, rawQuery: string): FaultAction | null {
    for (const f of faults) {
      if (f.method && f.method !== method) continue;
      if (f.path && !f.path.test(path)) continue;
      if (f.query && !f.query.test(rawQuery)) continue;
      f.seen += 1;
      if (f.seen <= (f.skip ?? 0)) continue;
      if (f.used >= (f.times ?? 1)) continue;
      f.used += 1;
      return f.action;
    }
    return null;
  }

  const server = options.tls ? https.createServer(readTestTls(), handler) : http.createServer(handler);
  // closeAllConnections() misses a TLS socket whose request was left unanswered ('stall'); track them all
  const sockets = new Set<Socket>();
  server.on('connection', (socket: Socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as AddressInfo).port;
  origin = `${options.tls ? 'https' : 'http'}://127.0.0.1:${port}`;

  return {
    origin,
    port,
    requests,
    inject: (fault) => faults.push({ ...fault, seen: 0, used: 0 }),
    clearFaults: () => {
      faults.length = 0;
    },
    count: (path) => (path ? requests.filter((r) => path.test(r.path)).length : requests.length),
    close: () =>
      new Promise<void>((resolve, reject) => {
        server.close((err) => (err ? reject(err) : resolve()));
        // stalled requests would otherwise keep the server open forever
        for (const socket of sockets) socket.destroy();
      }),
  };
}

/** Adds members to the server object keeping getters live (Object.assign would copy their current values). */
export function extendServer<S extends object, E extends object>(server: S, extension: E): S & E {
  return Object.defineProperties(server, Object.getOwnPropertyDescriptors(extension)) as S & E;
}
