/**
 * A minimal SCIM inbound server for conformance runs and manual probing: a fresh SQLite store in a temp dir (or
 * --db), the SCIM router at /scim/v2, listening on 127.0.0.1 (port 0 = a free one). Prints `SCIM_URL=<base>` on
 * stdout once listening; stops on SIGTERM/SIGINT and removes its temp dir.
 *   node --import tsx test/support/scim-server.ts --token T [--port 0] [--db path]
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import express from 'express';
import { pino } from 'pino';
import { createHttpApp } from '../../src/http/app.js';
import { metricsRegistry } from '../../src/http/metrics.js';
import { createScimRouter } from '../../src/http/scim/router.js';
import { startHttpServer } from '../../src/http/server.js';
import { openScimRepository } from '../../src/sources/scim/repository.js';

const { values } = parseArgs({
  options: { token: { type: 'string' }, port: { type: 'string', default: '0' }, db: { type: 'string' } },
});
const token = values.token ?? process.env.SCIM_TOKEN;
if (!token) {
  console.error('usage: scim-server.ts --token TOKEN [--port N] [--db FILE]');
  process.exit(2);
}
const tempDir = values.db ? null : fs.mkdtempSync(path.join(os.tmpdir(), 'scim-server-'));
const dbPath = values.db ?? path.join(tempDir ?? '.', 'store.db');
const logger = pino({ level: process.env.LOG_LEVEL ?? 'warn' }, pino.destination(2));
const repository = openScimRepository(dbPath);

const port = Number(values.port);
const host = '127.0.0.1';
// The base URI needs the port, known only once listening: the SCIM router joins this mount after binding.
const scimMount = express.Router();
const app = createHttpApp({
  logger,
  routers: [{ path: '/scim/v2', router: scimMount }],
  readiness: async () => ({ ok: true, checks: { store: 'ok' } }),
  metrics: () => metricsRegistry.metrics(),
});
const server = await startHttpServer(app, { host, port, graceMs: 2000 });
scimMount.use(createScimRouter({ repository, token, baseUri: `${server.url}/scim/v2`, logger }));
console.log(`SCIM_URL=${server.url}/scim/v2`);

const stop = async () => {
  await server.close();
  repository.close();
  if (tempDir) fs.rmSync(tempDir, { recursive: true, force: true });
  process.exit(0);
};
process.once('SIGTERM', () => void stop());
process.once('SIGINT', () => void stop());
