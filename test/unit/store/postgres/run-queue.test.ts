import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openPostgresRunQueue } from '../../../../src/store/postgres/open-postgres-run-queue.js';
import { runRunQueueContract } from '../../../contract/run-queue.contract.js';
import { createTestDatabase, type TestDatabase } from '../../../support/postgres.js';

let database: TestDatabase;
beforeAll(async () => {
  database = await createTestDatabase('queue');
});
afterAll(async () => {
  await database.drop();
});

runRunQueueContract('postgres', async (name) => {
  const url = await database.schemaUrl(name);
  return {
    queue: await openPostgresRunQueue({ url, poolSize: 3 }),
    reopen: async () => openPostgresRunQueue({ url, poolSize: 3 }),
    cleanup: async () => {},
  };
});

describe('PostgreSQL run queue across replicas', () => {
  it('hands a run to exactly one of three replicas claiming at once, and loses no trigger enqueued meanwhile', async () => {
    const url = await database.schemaUrl('replicas');
    const queues = await Promise.all([0, 1, 2].map(() => openPostgresRunQueue({ url, poolSize: 3 })));
    const now = new Date();
    try {
      for (let round = 0; round < 10; round += 1) {
        await queues[0]!.enqueue('heap', { trigger: 'scim', scope: [`r${round}@x.io`] }, { now });
        const [claims] = await Promise.all([
          Promise.all(queues.map((q, i) => q.claim('heap', `w${i}`, { now, staleMs: 60_000 }))),
          queues[1]!.enqueue('heap', { trigger: 'scim', scope: [`late${round}@x.io`] }, { now }),
        ]);
        const won = claims.filter((c) => c !== null);
        expect(won).toHaveLength(1);
        const { active, pending } = await queues[2]!.state('heap');
        // the late push is either in the claimed run or waiting as the pending one
        const seen = [...(active?.scope ?? []), ...(pending?.scope ?? [])];
        expect(seen).toContain(`late${round}@x.io`);
        await queues[0]!.complete('heap', active!.id, active!.worker);
        const next = await queues[0]!.claim('heap', 'w0', { now, staleMs: 60_000 });
        if (next) await queues[0]!.complete('heap', next.id, 'w0');
      }
    } finally {
      await Promise.all(queues.map((q) => q.close()));
    }
  });
});
