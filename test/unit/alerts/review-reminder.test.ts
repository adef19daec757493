import { describe, expect, it } from 'vitest';
import { reviewReminder } from '../../../src/alerts/events.js';
import { buildReviewCampaign } from '../../contract/store.contract.js';

describe('review reminders', () => {
  const campaign = buildReviewCampaign('rev-q1', {
    dueAt: '2030-01-15T00:00:00.000Z',
    reviewers: ['rita@example.com'],
  });

  it('names the campaign, what is undecided, the due date and the reviewers; one key a day', () => {
    const a = reviewReminder(campaign, 12, new Date('2030-01-13T08:00:00Z'));
    expect(a).toMatchObject({
      event: 'review-reminder',
      severity: 'info',
      key: 'review:rev-q1:2030-01-13',
      summary: 'Access review rev-q1: 12 item(s) undecided, due 2030-01-15; reviewers rita@example.com',
    });
    expect(reviewReminder(campaign, 12, new Date('2030-01-13T20:00:00Z')).key).toBe(a.key);
    expect(reviewReminder(campaign, 12, new Date('2030-01-14T08:00:00Z')).key).not.toBe(a.key);
  });

  it('warns once the campaign is overdue', () => {
    const a = reviewReminder(campaign, 3, new Date('2030-01-16T08:00:00Z'));
    expect(a.severity).toBe('warning');
    expect(a.summary).toContain('overdue since 2030-01-15');
  });
});
