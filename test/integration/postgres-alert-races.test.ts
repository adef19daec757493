import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createAlertDispatcher, type AlertDispatcher } from '../../src/alerts/dispatcher.js';
import { createWebhookSink } from '../../src/alerts/webhook-sink.js';
import type { Store } from '../../src/ports/store.js';
import { openPostgresStore } from '../../src/store/postgres/open-postgres-store.js';
import { startAlertReceiver, type AlertReceiver } from '../fakes/alert-receiver.js';
import { createTestDatabase, type TestDatabase } from '../support/postgres.js';
import { driftItem } from '../unit/alerts/builders.js';

const SECRET = 'whsec-alert-races';

/**
 * Two replicas' alert dispatchers on one PostgreSQL database, each with its own store connection and its own two
 * webhook sinks (one receiver per sink), racing over the same drift items: each receiver gets each drift-detected
 * and each drift-resolved once (DESIGN §13).
 */
describe('alert state shared by two replicas on one PostgreSQL database', () => {
  let database: TestDatabase;
  let receivers: AlertReceiver[];
  const stores: Store[] = [];
  let a: AlertDispatcher;
  let b: AlertDispatcher;

  beforeAll(async () => {
    database = await createTestDatabase('alert_races');
    receivers = [await startAlertReceiver({ secret: SECRET }), await startAlertReceiver({ secret: SECRET })];
    const replica = async () => {
      const store = await openPostgresStore({ url: database.url, poolSize: 3 });
      stores.push(store);
      return createAlertDispatcher({
        sinks: receivers.map((r, i) => createWebhookSink({ url: r.webhookUrl, secret: SECRET, name: `hook-${i}` })),
        store,
        claims: store,
        // a failed delivery is retried after half a second at least: long enough for the other replica to act
        retry: { attempts: 4, baseMs: 1_000, maxMs: 2_000 },
        logger: pino({ level: 'silent' }),
      });
    };
    [a, b] = [await replica(), await replica()];
  });
  afterAll(async () => {
    await a?.close();
    await b?.close();
    for (const s of stores) await s.close();
    for (const r of receivers ?? []) await r.close();
    await database?.drop();
  });

  /** per receiver, what it got about `user`'s drift, in order */
  const received = (user: string) =>
    receivers.map((r) =>
      r.deliveries
        .map((d) => d.body as { event: string; key: string })
        .filter((body) => body.key.startsWith(`drift:${user}:`))
        .map((body) => body.event),
    );
  const drained = () => Promise.all([a.drain(), b.drain()]);

  it('detects and resolves once when both replicas see the same drift come and go at the same moment', async () => {
    const user = 'ann@example.com';
    const item = driftItem({ user, suggestedActions: [] });
    await Promise.all([a.reconcileDrift([item], 'a1'), b.reconcileDrift([item], 'b1')]);
    await drained();
    await Promise.all([a.reconcileDrift([], 'a2', new Set([user])), b.reconcileDrift([], 'b2', new Set([user]))]);
    await drained();
    expect(received(user)).toEqual([
      ['drift-detected', 'drift-resolved'],
      ['drift-detected', 'drift-resolved'],
    ]);
  });

  it('resolves on one replica while the other is still delivering the detection: each sink hears both, once', async () => {
    const user = 'bob@example.com';
    const item = driftItem({ user, suggestedActions: [] });
    for (const r of receivers) r.failNext(1, 503);
    const seen = receivers.map((r) => r.requests.length);
    await a.reconcileDrift([item], 'a3');
    // both first attempts refused: A retries in half a second or more, and B's run finds the drift gone meanwhile
    await Promise.all(receivers.map((r, i) => r.waitFor(() => r.requests.length > seen[i]!)));
    const resolvedByB = await b.reconcileDrift([], 'b3', new Set([user]));
    expect(resolvedByB.resolved.map((x) => x.key)).toEqual([`drift:${user}:project:web-prod`]);
    await drained();
    expect(received(user)).toEqual([
      ['drift-detected', 'drift-resolved'],
      ['drift-detected', 'drift-resolved'],
    ]);
    // and the late delivery mark did not reopen it: a later run on either replica sends nothing more
    const [state] = await stores[0]!.getAlertStates([`drift:${user}:project:web-prod`]);
    expect(state).toMatchObject({ resolvedAt: expect.any(String) });
    expect((state?.payload as { delivered: string[] }).delivered).toEqual(['hook-0', 'hook-1']);
    await a.reconcileDrift([], 'a4', new Set([user]));
    await b.reconcileDrift([], 'b4', new Set([user]));
    await drained();
    expect(received(user)).toEqual([
      ['drift-detected', 'drift-resolved'],
      ['drift-detected', 'drift-resolved'],
    ]);
  });
});
