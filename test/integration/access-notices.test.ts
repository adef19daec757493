import fs from 'node:fs';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { JournalRecord } from '../../src/domain/journal.js';
import { startSmtpReceiver, type SmtpReceiver } from '../fakes/smtp-receiver.js';
import { startTestStandIn } from '../support/stand-in.js';
import { SCIM_TOKEN, e2eDirectory, makeWorkspace, teammates } from '../support/e2e-setup.js';
import { addException } from '../support/exceptions.js';

type StandIn = Awaited<ReturnType<typeof startTestStandIn>>;

/** Heap's guide, step 6: tell the person what changed, why, when, for how long, and whom to ask. */
describe('access notices by e-mail', () => {
  let standIn: StandIn;
  let smtp: SmtpReceiver;
  let ws: ReturnType<typeof makeWorkspace>;

  const enableNotices = (extra = '') =>
    fs.appendFileSync(
      ws.files.config,
      `notifications:\n  email: { smtpUrlEnv: SMTP_URL, from: heap-access@example.com, replyTo: it-help@example.com, retryDelayMs: 10${extra} }\n`,
    );

  beforeEach(async () => {
    standIn = await startTestStandIn({ token: SCIM_TOKEN });
    smtp = await startSmtpReceiver();
    ws = makeWorkspace(standIn.scimUrl);
    expect((await ws.cli(['sync'])).code).toBe(0);
    // bob joins the production Admins; dave's identity (inactive) stays as it was
    const directory = e2eDirectory();
    directory.groups = directory.groups.map((g) =>
      g.displayName === 'Heap Prod Admins' ? { ...g, members: [...g.members, 'u-bob'] } : g,
    );
    ws.writeDirectory(directory);
  });
  afterEach(async () => {
    await smtp?.close();
    await standIn?.close();
    ws?.cleanup();
  });

  it('sends the person whose access changed one message in plain words, and no one else', async () => {
    enableNotices();
    const result = await ws.cli(['sync', '--json'], { SMTP_URL: smtp.url });
    expect(result.code).toBe(0);
    const record = JSON.parse(result.stdout) as JournalRecord;
    expect(record.results.map((r) => [r.change.user, r.outcome])).toEqual([['bob@example.com', 'applied']]);

    const [mail, ...others] = await smtp.waitFor(1);
    expect(others).toEqual([]);
    expect(mail?.to).toMatchObject({ text: 'bob@example.com' });
    expect(mail?.from).toMatchObject({ text: 'heap-access@example.com' });
    expect(mail?.replyTo).toMatchObject({ text: 'it-help@example.com' });
    expect(mail?.subject).toBe('Your Heap access changed');
    const text = mail?.text ?? '';
    expect(text).toContain(`Your access to Heap (bob@example.com) changed on ${record.endedAt.slice(0, 10)}`);
    expect(text).toContain(
      '- Project Web App (web-prod): Member -> Admin. Now you can manage its settings, tracking plan, integrations and data. ' +
        'Why: you are in the group "Heap Prod Admins" (rule prod-admins).',
    );
    expect(text).toContain('ask it-help@example.com');
    expect(text).toContain(record.id);
  });

  it('uses the template an operator wrote, and says until when a temporary grant lasts', async () => {
    fs.writeFileSync(
      path.join(ws.dir, 'notice.txt'),
      'Subject: Heap: access update for {{user}}\nChanges:\n{{changes}}\n{{temporary}}Contact {{contact}}.\n',
    );
    enableNotices(', template: ./notice.txt');
    const added = await addException(
      ws.cli,
      {
        user: 'alice@example.com',
        entitlement: 'project:web-prod',
        value: 'Admin',
        reason: 'integration setup INC-7',
        approver: 'admin@example.com',
        expires: '3d',
      },
      { SMTP_URL: smtp.url },
    );
    expect(added.code, added.stderr).toBe(0);
    expect((await ws.cli(['sync'], { SMTP_URL: smtp.url })).code).toBe(0);

    const mails = await smtp.waitFor(2);
    const alice = mails.find((m) => m.subject === 'Heap: access update for alice@example.com');
    expect(alice?.text).toMatch(/^Changes:\n- Project Web App \(web-prod\): Member -> Admin\./);
    expect(alice?.text).toContain('Why: admin@example.com approved it for you: "integration setup INC-7".');
    expect(alice?.text).toMatch(/This access is temporary: it ends on \d{4}-\d\d-\d\d \d\d:\d\d UTC/);
    expect(alice?.text).toContain('Contact it-help@example.com.');
  });

  it('never fails a sync when the mail server is down', async () => {
    const deadUrl = smtp.url;
    await smtp.close();
    enableNotices(', attempts: 2');
    const result = await ws.cli(['sync', '--json'], { SMTP_URL: deadUrl });
    expect(result.code).toBe(0);
    expect((JSON.parse(result.stdout) as JournalRecord).status).toBe('succeeded');
    expect((await teammates(standIn.url)).get('bob@example.com')?.['project:web-prod']).toBe('Admin');
    expect(result.stderr).toContain('access notice not delivered');
  });
});
