import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { JournalSummary } from '../../src/ports/store.js';
import { startAlertReceiver, type AlertReceiver } from '../fakes/alert-receiver.js';
import { parseJsonOutput, runCli } from '../support/cli.js';
import { SCIM_TOKEN as HEAP_TOKEN, changeByHand, e2eDirectory, e2eMapping } from '../support/e2e-setup.js';
import { createTestDatabase, type TestDatabase } from '../support/postgres.js';
import { startReplica, until, type Replica } from '../support/replicas.js';
import { startTestStandIn } from '../support/stand-in.js';
import { addException } from '../support/exceptions.js';

const ADMIN = 'replicas-once-admin-token-0123456789';
const SECRET = 'whsec-replicas-once';

/**
 * Three `serve` replicas on one database, each with the same schedule (every 2 s), the same expiring exception and
 * the same drift in Heap: the schedule's ticks, the expiry and every alert happen once, not once per replica.
 */
describe('serve replicas on one PostgreSQL database: things happen once', () => {
  let standIn: Awaited<ReturnType<typeof startTestStandIn>>;
  let receiver: AlertReceiver;
  let database: TestDatabase;
  let dir: string;
  const replicas: Replica[] = [];
  const env = () => ({ DATABASE_URL: database.url, ADMIN_TOKEN: ADMIN, HEAP_SCIM_TOKEN: HEAP_TOKEN, HOOK: SECRET });
  const cli = (args: string[]) =>
    runCli(['--config', path.join(dir, 'config.yaml'), ...args], { cwd: dir, env: env() });

  beforeAll(async () => {
    database = await createTestDatabase('replicas_once');
    standIn = await startTestStandIn({ token: HEAP_TOKEN });
    receiver = await startAlertReceiver({ secret: SECRET });
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'has-replicas-once-'));
    fs.mkdirSync(path.join(dir, 'mappings'));
    fs.writeFileSync(path.join(dir, 'mappings', 'acme.yaml'), e2eMapping({ manualOverrides: 'keep' }));
    fs.writeFileSync(path.join(dir, 'directory.json'), JSON.stringify(e2eDirectory()));
    fs.writeFileSync(
      path.join(dir, 'config.yaml'),
      [
        'mappings: ./mappings',
        'store: { postgres: { urlEnv: DATABASE_URL, poolSize: 3 } }',
        'sources: [ { type: file, path: ./directory.json } ]',
        `target: { type: scim, url: ${standIn.scimUrl}, tokenEnv: HEAP_SCIM_TOKEN, retries: 2, writesPerSecond: 1000 }`,
        `alerts: [ { type: webhook, url: ${receiver.webhookUrl}, secretEnv: HOOK } ]`,
        'server: { port: 0 }',
        "schedule: '*/2 * * * * *'",
        'logLevel: info',
      ].join('\n'),
    );
  });
  afterAll(async () => {
    for (const r of replicas) r.child.kill('SIGKILL');
    await Promise.all(replicas.map((r) => r.done));
    await receiver?.close();
    await standIn?.close();
    fs.rmSync(dir, { recursive: true, force: true });
    await database?.drop();
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
      replicas.push(await startReplica(name, { config: path.join(dir, 'config.yaml'), cwd: dir, env: env() }));
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
