import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ReviewCampaign } from '../../src/domain/review.js';
import { e2eDirectory, e2eMapping } from '../support/e2e-setup.js';
import { startReplicaSet, type ReplicaSet } from '../support/replicas.js';
import { until, type ServeProcess } from '../support/serve-process.js';

const ADMIN = 'review-schedule-admin-token-0123';

/** `reviews.schedule` on two replicas of one PostgreSQL database: each tick starts one campaign, not one each. */
describe('the scheduled access review across replicas', () => {
  let set: ReplicaSet;
  let replicas: ServeProcess[];

  beforeAll(async () => {
    set = await startReplicaSet({
      label: 'review_schedule',
      mapping: e2eMapping(),
      directory: e2eDirectory(),
      // every second tick of the clock: the quarterly campaign, sped up
      config: ["reviews: { schedule: '*/2 * * * * *', reviewers: [rita@example.com, admin@example.com], due: 14d }"],
      env: { ADMIN_TOKEN: ADMIN },
    });
    ({ replicas } = set);
  });
  afterAll(async () => {
    await set?.close();
  });

  it('starts one campaign per tick, named by the tick, from what Heap has', { timeout: 300_000 }, async () => {
    await set.start('replica-a');
    await set.start('replica-b');
    const [a] = replicas;
    const list = async () => {
      const res = await fetch(`${a!.url}/api/reviews`, { headers: { authorization: `Bearer ${ADMIN}` } });
      expect(res.status).toBe(200);
      return ((await res.json()) as { campaigns: ReviewCampaign[] }).campaigns;
    };
    // both replicas are up: from now on every tick fires on both
    const before = (await list()).length;
    const campaigns = await until(list, (c) => c.length >= before + 3, 'three more campaigns');
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
