import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ReviewCampaign } from '../../src/domain/review.js';
import { SCIM_TOKEN as HEAP_TOKEN, e2eDirectory, e2eMapping } from '../support/e2e-setup.js';
import { createTestDatabase, type TestDatabase } from '../support/postgres.js';
import { startServeProcess, until, type ServeProcess } from '../support/serve-process.js';
import { startTestStandIn } from '../support/stand-in.js';

const ADMIN = 'review-schedule-admin-token-0123';

/** `reviews.schedule` on two replicas of one PostgreSQL database: each tick starts one campaign, not one each. */
describe('the scheduled access review across replicas', () => {
  let standIn: Awaited<ReturnType<typeof startTestStandIn>>;
  let database: TestDatabase;
  let dir: string;
  const replicas: ServeProcess[] = [];

  beforeAll(async () => {
    database = await createTestDatabase('review_schedule');
    standIn = await startTestStandIn({ token: HEAP_TOKEN });
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'has-review-schedule-'));
    fs.mkdirSync(path.join(dir, 'mappings'));
    fs.writeFileSync(path.join(dir, 'mappings', 'acme.yaml'), e2eMapping());
    fs.writeFileSync(path.join(dir, 'directory.json'), JSON.stringify(e2eDirectory()));
    fs.writeFileSync(
      path.join(dir, 'config.yaml'),
      [
        'mappings: ./mappings',
        'store: { postgres: { urlEnv: DATABASE_URL, poolSize: 3 } }',
        'sources: [ { type: file, path: ./directory.json } ]',
        `target: { type: scim, url: ${standIn.scimUrl}, tokenEnv: HEAP_SCIM_TOKEN, retries: 2, writesPerSecond: 1000 }`,
        'server: { port: 0 }',
        'schedule: null',
        // every second tick of the clock: the quarterly campaign, sped up
        "reviews: { schedule: '*/2 * * * * *', reviewers: [rita@example.com, admin@example.com], due: 14d }",
        'logLevel: info',
      ].join('\n'),
    );
  });
  afterAll(async () => {
    for (const r of replicas) r.child.kill('SIGKILL');
    await Promise.all(replicas.map((r) => r.done));
    await standIn?.close();
    fs.rmSync(dir, { recursive: true, force: true });
    await database?.drop();
  });

  it('starts one campaign per tick, named by the tick, from what Heap has', { timeout: 300_000 }, async () => {
    const env = { DATABASE_URL: database.url, ADMIN_TOKEN: ADMIN, HEAP_SCIM_TOKEN: HEAP_TOKEN };
    const config = path.join(dir, 'config.yaml');
    replicas.push(await startServeProcess(config, { cwd: dir, env, name: 'replica-a' }));
    replicas.push(await startServeProcess(config, { cwd: dir, env, name: 'replica-b' }));
    const [a] = replicas;
    const list = async () => {
      const res = await fetch(`${a!.url}/api/reviews`, { headers: { authorization: `Bearer ${ADMIN}` } });
      expect(res.status).toBe(200);
      return ((await res.json()) as { campaigns: ReviewCampaign[] }).campaigns;
    };
    // both replicas are up: from now on every tick fires on both
    const before = (await list()).length;
    const campaigns = await until(list, (c) => c.length >= before + 3);
    for (const r of replicas) r.child.kill('SIGTERM');
    await Promise.all(replicas.map((r) => r.done));

    const ticks = campaigns.map((c) => c.createdAt.slice(0, 19));
    expect(new Set(ticks).size, `campaigns per tick: ${ticks.join(', ')}`).toBe(campaigns.length);
    for (const c of campaigns) {
      expect(c.id).toMatch(/^rev-\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d-schedule$/);
      expect(c.createdBy).toBe('schedule');
      expect(c.reviewers).toEqual(['rita@example.com', 'admin@example.com']);
      expect(c.status).toBe('open');
    }
  });
});
