import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ScimUniquenessError } from '../../../../src/sources/scim/errors.js';
import { openPostgresScimRepository } from '../../../../src/store/postgres/open-postgres-scim-repository.js';
import { runScimRepositoryContract } from '../../../contract/scim-repository.contract.js';
import { createTestDatabase, type TestDatabase } from '../../../support/postgres.js';

let database: TestDatabase;
beforeAll(async () => {
  database = await createTestDatabase('scim');
});
afterAll(async () => {
  await database.drop();
});

runScimRepositoryContract('postgres', async (name, { now, source }) => {
  const url = await database.schemaUrl(name);
  return {
    repository: await openPostgresScimRepository({ url, poolSize: 4 }, { now, source }),
    reopen: async () => openPostgresScimRepository({ url, poolSize: 4 }, { now, source }),
    cleanup: async () => {},
  };
});

describe('PostgreSQL SCIM repository across replicas', () => {
  it("keeps a second SCIM source's identities in a schema of its own: the same userName in both", async () => {
    const url = await database.schemaUrl('two-sources');
    const okta = await openPostgresScimRepository({ url }, { source: 'okta' });
    const entra = await openPostgresScimRepository({ url }, { source: 'Entra-2', schema: 'scim_Entra-2' });
    try {
      await okta.createUser({ userName: 'same@x.com' });
      await entra.createUser({ userName: 'same@x.com' });
      expect((await okta.listUsers()).total).toBe(1);
      expect((await entra.pendingOutbox()).map((e) => e.source)).toEqual(['Entra-2']);
      expect((await okta.pendingOutbox()).map((e) => e.source)).toEqual(['okta']);
    } finally {
      await okta.close();
      await entra.close();
    }
  });

  it('lets exactly one of ten racing creates of one userName win; the others get a uniqueness error', async () => {
    const url = await database.schemaUrl('racing-creates');
    const replicas = await Promise.all([0, 1, 2].map(() => openPostgresScimRepository({ url, poolSize: 4 })));
    try {
      const results = await Promise.allSettled(
        Array.from({ length: 10 }, (_, i) =>
          replicas[i % 3]?.createUser({ userName: i % 2 ? 'Race@x.com' : 'race@X.com' }),
        ),
      );
      expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(1);
      const reasons = results.flatMap((r) => (r.status === 'rejected' ? [r.reason] : []));
      expect(reasons).toHaveLength(9);
      for (const reason of reasons) expect(reason).toBeInstanceOf(ScimUniquenessError);
      expect((await replicas[0]?.listUsers())?.total).toBe(1);
      expect(await replicas[1]?.pendingOutbox()).toHaveLength(1);
    } finally {
      await Promise.all(replicas.map((r) => r.close()));
    }
  });

  it('keeps every member when 30 adds and removes to one group race from three connections', async () => {
    const url = await database.schemaUrl('racing-members');
    const replicas = await Promise.all([0, 1, 2].map(() => openPostgresScimRepository({ url, poolSize: 4 })));
    try {
      const [first] = replicas;
      if (!first) throw new Error('no replica');
      const ids: string[] = [];
      for (let i = 0; i < 30; i += 1) ids.push((await first.createUser({ userName: `m${i}@x.com` })).id);
      const { group } = await first.createGroup({ displayName: 'Busy' }, ids.slice(0, 10));
      await Promise.all(
        ids.map((id, i) =>
          i < 10
            ? replicas[i % 3]?.changeMembers(group.id, { remove: i % 2 ? [id] : [] })
            : replicas[i % 3]?.changeMembers(group.id, { add: [id] }),
        ),
      );
      const members = ((await first.membersOf([group.id])).get(group.id) ?? []).map((m) => m.id).sort();
      const expected = ids.filter((_, i) => i >= 10 || i % 2 === 0).sort();
      expect(members).toEqual(expected);
      const after = await replicas[2]?.getGroup(group.id);
      // one version per write that changed something: 20 adds and 5 removes after the create
      expect(after?.version).toBe(1 + 20 + 5);
      const seqs = (await first.pendingOutbox()).map((e) => e.seq);
      expect([...seqs].sort((a, b) => a - b)).toEqual(seqs);
    } finally {
      await Promise.all(replicas.map((r) => r.close()));
    }
  });

  it('survives a user deleted on one replica while another adds it to groups: never a half write', async () => {
    const url = await database.schemaUrl('delete-vs-add');
    const [a, b] = await Promise.all([0, 1].map(() => openPostgresScimRepository({ url, poolSize: 4 })));
    if (!a || !b) throw new Error('no replica');
    try {
      const groupIds: string[] = [];
      for (let i = 0; i < 5; i += 1) groupIds.push((await a.createGroup({ displayName: `G${i}` }, [])).group.id);
      for (let round = 0; round < 5; round += 1) {
        const u = await a.createUser({ userName: `victim${round}@x.com` });
        const adds = groupIds.map((g) => b.changeMembers(g, { add: [u.id] }).catch((err: Error) => err.name));
        const deleted = await a.deleteUser(u.id);
        await Promise.all(adds);
        expect(deleted).not.toBeNull();
        for (const [, members] of await a.membersOf(groupIds)) expect(members.map((m) => m.id)).not.toContain(u.id);
      }
    } finally {
      await a.close();
      await b.close();
    }
  });
});
