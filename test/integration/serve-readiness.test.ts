import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startService, type RunningService } from '../../src/serve.js';
import { e2eMapping } from '../support/e2e-setup.js';
import { startTestStandIn } from '../support/stand-in.js';

type StandIn = Awaited<ReturnType<typeof startTestStandIn>>;

describe('serve with server.publicReadiness (a Kubernetes probe without the admin token)', () => {
  let standIn: StandIn;
  let service: RunningService;
  let dir: string;

  beforeAll(async () => {
    standIn = await startTestStandIn({ token: 'heap' });
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'has-readiness-'));
    fs.mkdirSync(path.join(dir, 'mappings'));
    fs.writeFileSync(path.join(dir, 'mappings', 'acme.yaml'), e2eMapping());
    fs.writeFileSync(path.join(dir, 'directory.json'), '{"users":[],"groups":[]}');
    fs.writeFileSync(
      path.join(dir, 'config.yaml'),
      [
        'mappings: ./mappings',
        'store: { sqlite: ./data/store.db }',
        'sources: [ { type: file, path: ./directory.json } ]',
        `target: { type: scim, url: ${standIn.scimUrl}, retries: 0 }`,
        'server: { publicReadiness: true }',
        'schedule: null',
      ].join('\n'),
    );
    service = await startService({
      configFile: path.join(dir, 'config.yaml'),
      env: { ADMIN_TOKEN: 'readiness-admin-token', HEAP_SCIM_TOKEN: 'heap' },
      logger: pino({ level: 'silent' }),
      port: 0,
    });
  });
  afterAll(async () => {
    await service?.close();
    await standIn?.close();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it('answers /readyz without a token, with its status only; the rest still needs one', async () => {
    const res = await fetch(`${service.url}/readyz`);
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ status: 'ok' });
    expect((await fetch(`${service.url}/metrics`)).status).toBe(401);
    expect((await fetch(`${service.url}/api/status`)).status).toBe(401);
  });
});
