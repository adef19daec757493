import { describe, expect, it } from 'vitest';
import { driftDetected, guardBlocked, mappingReloadFailed } from '../../../src/alerts/events.js';
import { escapeMrkdwn, formatSlackMessage } from '../../../src/alerts/slack-format.js';
import type { Change } from '../../../src/domain/plan.js';
import { driftItem } from './builders.js';

const now = new Date('2025-01-01T12:00:00.000Z');
const sectionTexts = (message: ReturnType<typeof formatSlackMessage>): string[] =>
  message.blocks.flatMap((b) => (b.type === 'section' ? [b.text.text] : []));

describe('Slack message', () => {
  it('has a text fallback with the summary and a section with the drift item', () => {
    const alert = driftDetected(driftItem(), 'run-7', now);
    const message = formatSlackMessage(alert);

    expect(message.text).toBe(alert.summary);
    expect(message.blocks[0]).toEqual({
      type: 'section',
      text: { type: 'mrkdwn', text: expect.stringContaining(alert.summary) },
    });
    const details = sectionTexts(message)[1] ?? '';
    expect(details.split('\n')).toEqual([
      '*User:* alice@example.com',
      '*Entitlement:* `project:web-prod`',
      '*Baseline → actual:* Member → Admin',
      '*Desired:* Member',
      '*Cause:* manual-override',
      '*Action:* revert',
      '*Suggestion:* add alice@example.com to group Heap Prod Admins',
    ]);
    expect(message.blocks.at(-1)).toEqual({
      type: 'context',
      elements: [{ type: 'mrkdwn', text: 'drift-detected · critical · run run-7 · 2025-01-01T12:00:00.000Z' }],
    });
  });

  it("names the suggestion's side effects (the first five, then how many more); the details carry them all", () => {
    const sideEffects = [
      { entitlement: 'membership', from: 'active', to: 'deactivated' },
      ...['a', 'b', 'c', 'd', 'e', 'f'].map((p) => ({ entitlement: `project:${p}`, from: null, to: 'Admin' })),
    ];
    const alert = driftDetected(driftItem({ sideEffects }), 'r', now);
    expect(alert.details.sideEffects).toEqual(sideEffects);
    expect(sectionTexts(formatSlackMessage(alert))[1]?.split('\n').at(-1)).toBe(
      '*Side effects:* membership: active → deactivated; project:a: (none) → Admin; project:b: (none) → Admin; ' +
        'project:c: (none) → Admin; project:d: (none) → Admin; and 2 more',
    );
    const none = formatSlackMessage(driftDetected(driftItem({ sideEffects: [] }), 'r', now));
    expect(sectionTexts(none)[1]).toContain('*Side effects:* none');
  });

  it('writes "no access" as (none), as everywhere else', () => {
    const message = formatSlackMessage(
      driftDetected(driftItem({ baseline: null, desired: null, cause: 'unmanaged' }), 'r', now),
    );
    expect(sectionTexts(message)[1]).toContain('*Baseline → actual:* (none) → Admin');
    expect(sectionTexts(message)[1]).toContain('*Desired:* (none)');
  });

  it('escapes user data so it cannot open links or mentions', () => {
    expect(escapeMrkdwn('<!channel> & <https://evil|x>')).toBe('&lt;!channel&gt; &amp; &lt;https://evil|x&gt;');
    const message = formatSlackMessage(driftDetected(driftItem({ suggestion: 'ping <!here>' }), 'r', now));
    expect(JSON.stringify(message)).not.toContain('<!here>');
  });

  it('lists blocked changes, at most 20, then how many more', () => {
    const changes: Change[] = Array.from({ length: 23 }, (_, i) => ({
      user: `u${i}@example.com`,
      entitlement: 'org',
      from: 'Admin',
      to: 'Member',
      cause: 'idp-change',
      reasons: [],
      risk: ['revokes-access'],
      blocked: 'lastOrgAdmin',
    }));
    const lines = (sectionTexts(formatSlackMessage(guardBlocked(changes, 'r1', now)))[1] ?? '').split('\n');
    expect(lines).toContain('• u0@example.com `org`: Admin → Member (blocked by lastOrgAdmin)');
    expect(lines.filter((l) => l.startsWith('• u'))).toHaveLength(20);
    expect(lines.at(-1)).toBe('…and 3 more');
  });

  it('keeps every section within Slack’s 3000-character limit', () => {
    const issues = Array.from({ length: 20 }, (_, i) => `mappings/a.yaml:${i} rules[${i}]: ${'x'.repeat(400)}`);
    for (const text of sectionTexts(formatSlackMessage(mappingReloadFailed(issues, now)))) {
      expect(text.length).toBeLessThanOrEqual(3000);
    }
  });
});
