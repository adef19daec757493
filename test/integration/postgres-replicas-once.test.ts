import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { JournalSummary } from '../../src/ports/store.js';
import { startAlertReceiver, type AlertReceiver } from '../fakes/alert-receiver.js';
import { parseJsonOutput } from '../support/cli.js';
import { changeByHand, e2eDirectory, e2eMapping } from '../support/e2e-setup.js';
import { startReplicaSet, type ReplicaSet } from '../support/replicas.js';
import { until, type ServeProcess as Replica } from '../support/serve-process.js';
import { addException } from '../support/exceptions.js';

const ADMIN = 'replicas-once-admin-token-0123456789';
const SECRET = 'whsec-replicas-once';

/**
 * Three `serve` replicas on one database, each with the same schedule (every 2 s), the same expiring exception and
 * the same drift in Heap: the schedule's ticks, the expiry and every alert happen once, not once per replica.
 */
describe('serve replicas on one PostgreSQL database: things happen once', () => {
  let set: ReplicaSet;
  let standIn: ReplicaSet['standIn'];
  let receiver: AlertReceiver;
  let replicas: Replica[];
  const cli = (args: string[]) => set.cli(args);

  beforeAll(async () => {
    receiver = await startAlertReceiver({ secret: SECRET });
    set = await startReplicaSet({
      label: 'replicas_once',
      mapping: e2eMapping({ manualOverrides: 'keep' }),
      directory: e2eDirectory(),
      config: [
        `alerts: [ { type: webhook, url: ${receiver.webhookUrl}, secretEnv: HOOK } ]`,
        "schedule: '*/2 * * * * *'",
      ],
      env: { ADMIN_TOKEN: ADMIN, HOOK: SECRET },
    });
    ({ standIn, replicas } = set);
  });
  afterAll(async () => {
    await set?.close();
    await receiver?.close();
  });

  it('runs each schedule tick once, an expired exception once, and sends each alert once', async () => {
    expect((await cli(['sync'])).code).toBe(0);
    // drift every run reports (manual changes are kept), and an exception that expires while the replicas run
    await changeByHand(standIn.url, 'bob@example.com', 'project:web-prod', 'Viewer');
    const expiresAt = new Date(Date.now() + 15_000).toISOString();
    const added = await addException(cli, {
      user: 'alice@example.com',
      entitlement: 'project:web-prod',
      value: 'Viewer',
      reason: 'audit week',
      approver: 'ciso@example.com',
      expires: expiresAt,
    });
    expect(added.code, added.stderr).toBe(0);
    // the first deliveries fail and are retried for seconds: runs on the other replicas meanwhile send nothing again
    receiver.failNext(3, 503);
    for (const name of ['replica-a', 'replica-b', 'replica-c']) {
      await set.start(name);
    }
    const expired = () => replicas.flatMap((r) => r.logs().filter((l) => l.msg === 'exception expired; run queued'));
    await until(
      async () => expired().length,
      (n) => n > 0,
      'the exception to expire',
    );
    const ticks = () => replicas.flatMap((r) => r.logs().filter((l) => l.msg === 'scheduled run queued'));
    const seen = ticks().length;
    await until(
      async () => ticks().length,
      (n) => n >= seen + 5,
      'five more ticks',
    );
    // stopped gently: each drains its alerts
    for (const r of replicas) r.child.kill('SIGTERM');
    for (const r of replicas) expect((await r.done).code).toBe(0);

    // every tick queued by one replica only, and more than one replica took ticks
    const queued = ticks().map((l) => String(l.tick));
    expect(queued.length).toBeGreaterThanOrEqual(5);
    expect(new Set(queued).size).toBe(queued.length);
    expect(expired().map((l) => l.expiredAt)).toEqual([expiresAt]);
    const journal = parseJsonOutput<{ runs: JournalSummary[] }>(
      await cli(['journal', 'list', '--json', '--limit', '500']),
    ).runs;
    expect(journal.filter((r) => r.trigger === 'schedule').length).toBeLessThanOrEqual(queued.length);
    expect(journal.filter((r) => r.trigger === 'exception-expiry').length).toBeLessThanOrEqual(1);

    // each alert reached the receiver once
    const delivered = receiver.deliveries.map((d) => {
      const body = d.body as { event: string; key: string };
      return `${body.event} ${body.key}`;
    });
    const count = (line: string) => delivered.filter((d) => d === line).length;
    expect(delivered).toContain('drift-detected drift:bob@example.com:project:web-prod');
    expect(delivered.some((d) => d.startsWith('exception-expiring '))).toBe(true);
    for (const line of new Set(delivered)) expect(count(line), line).toBe(1);
    expect((await cli(['journal', 'verify'])).code).toBe(0);
  });
});
