/** A SCIM server in a child process of a benchmark, so its work is not charged to the process driving the load. */
import { spawn, type ChildProcess } from 'node:child_process';
import os from 'node:os';
import express from 'express';
import { pino } from 'pino';
import { createHttpApp } from '../../../src/http/app.js';
import { createScimRouter } from '../../../src/http/scim/router.js';
import { startHttpServer } from '../../../src/http/server.js';
import type { ScimRepository } from '../../../src/sources/scim/repository.js';

/** In the child: the SCIM server on `repository`, request logging into /dev/null as in production. Prints its URL. */
export async function serveScim(repository: ScimRepository, token: string): Promise<void> {
  const logger = pino({ level: 'info' }, pino.destination({ dest: os.devNull, sync: false }));
  const mount = express.Router();
  const app = createHttpApp({
    logger,
    routers: [{ path: '/scim/v2', router: mount }],
    readiness: async () => ({ ok: true, checks: {} }),
  });
  const server = await startHttpServer(app, { host: '127.0.0.1', port: 0 });
  mount.use(createScimRouter({ repository, token, baseUri: `${server.url}/scim/v2`, logger }));
  console.log(`URL=${server.url}`);
}

/**
 * Runs the benchmark file `self` again as a child with `args` (the same Node flags, without --expose-gc), and
 * resolves with the URL it prints (`URL=...`). `label` names the child if it exits first.
 */
export function startChild(self: string, args: string[], label: string): Promise<{ url: string; child: ChildProcess }> {
  const child = spawn(process.execPath, [...process.execArgv.filter((a) => a !== '--expose-gc'), self, ...args], {
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  return new Promise((resolve, reject) => {
    let out = '';
    child.stdout?.on('data', (chunk: Buffer) => {
      out += chunk.toString();
      const m = /URL=(\S+)/.exec(out);
      if (m?.[1]) resolve({ url: m[1], child });
    });
    child.once('exit', (code) => reject(new Error(`${label} exited with ${code}`)));
  });
}
