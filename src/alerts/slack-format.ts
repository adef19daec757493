import type { Alert } from '../ports/alert-sink.js';
import { NO_ACCESS } from '../domain/entitlement.js';
import { describeSideEffects, type SideEffect } from '../domain/plan.js';

export interface SlackMrkdwn {
  type: 'mrkdwn';
  text: string;
}
export type SlackBlock = { type: 'section'; text: SlackMrkdwn } | { type: 'context'; elements: SlackMrkdwn[] };

/** Body of a Slack incoming webhook: `text` is the notification fallback, `blocks` the rendered message. */
export interface SlackMessage {
  text: string;
  blocks: SlackBlock[];
}

/** Slack rejects a section text longer than 3000 characters. */
const MAX_SECTION = 3000;
const MAX_LIST = 20;
/** side effects named in a drift alert, then how many more (the details carry them all) */
const SIDE_EFFECTS_SHOWN = 5;

const ICONS: Record<Alert['severity'], string> = {
  critical: ':rotating_light:',
  warning: ':warning:',
  info: ':white_check_mark:',
};

/** Slack's mrkdwn treats these three as control characters; user data must not open links or mentions. */
export const escapeMrkdwn = (text: string): string =>
  text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');

const truncate = (text: string, max: number): string => (text.length <= max ? text : `${text.slice(0, max - 1)}…`);

/** `null` is "no access" in the access model, written as everywhere else. */
const showValue = (value: unknown): string =>
  value === null || value === undefined ? NO_ACCESS : typeof value === 'string' ? value : JSON.stringify(value);

const isRecord = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

function renderDrift(d: Record<string, unknown>): string[] {
  const lines = [
    `*User:* ${escapeMrkdwn(showValue(d.user))}`,
    `*Entitlement:* \`${escapeMrkdwn(showValue(d.entitlement))}\``,
    `*Baseline → actual:* ${escapeMrkdwn(showValue(d.baseline))} → ${escapeMrkdwn(showValue(d.actual))}`,
    `*Desired:* ${escapeMrkdwn(showValue(d.desired))}`,
  ];
  if (d.cause !== undefined) lines.push(`*Cause:* ${escapeMrkdwn(showValue(d.cause))}`);
  lines.push(`*Action:* ${escapeMrkdwn(showValue(d.action))}`);
  if (typeof d.suggestion === 'string' && d.suggestion) lines.push(`*Suggestion:* ${escapeMrkdwn(d.suggestion)}`);
  if (Array.isArray(d.sideEffects)) lines.push(`*Side effects:* ${escapeMrkdwn(sideEffectsText(d.sideEffects))}`);
  return lines;
}

/** Alert details come back from the store as JSON: only well-formed side effects are named. */
function sideEffectsText(effects: unknown[]): string {
  const valid = effects.filter(
    (e): e is SideEffect => isRecord(e) && typeof e.entitlement === 'string' && isValue(e.from) && isValue(e.to),
  );
  return describeSideEffects(valid, SIDE_EFFECTS_SHOWN, '→');
}

const isValue = (v: unknown): v is string | null => v === null || typeof v === 'string';

function renderChange(c: unknown): string {
  if (!isRecord(c)) return `• ${escapeMrkdwn(showValue(c))}`;
  const guard = c.blocked ? ` (blocked by ${escapeMrkdwn(showValue(c.blocked))})` : '';
  return `• ${escapeMrkdwn(showValue(c.user))} \`${escapeMrkdwn(showValue(c.entitlement))}\`: ${escapeMrkdwn(
    showValue(c.from),
  )} → ${escapeMrkdwn(showValue(c.to))}${guard}`;
}

function renderList(name: string, items: unknown[], renderItem: (item: unknown) => string): string[] {
  const shown = items.slice(0, MAX_LIST).map(renderItem);
  const more = items.length > MAX_LIST ? [`…and ${items.length - MAX_LIST} more`] : [];
  return [`*${escapeMrkdwn(name)}:*`, ...shown, ...more];
}

function renderGeneric(details: Record<string, unknown>): string[] {
  return Object.entries(details).flatMap(([name, value]) => {
    if (name === 'changes' && Array.isArray(value)) return renderList('Changes', value, renderChange);
    if (Array.isArray(value)) return renderList(name, value, (v) => `• ${escapeMrkdwn(showValue(v))}`);
    return [`*${escapeMrkdwn(name)}:* ${escapeMrkdwn(truncate(showValue(value), 500))}`];
  });
}

const isDriftAlert = (alert: Alert): boolean => alert.event === 'drift-detected' || alert.event === 'drift-resolved';

/** Renders an alert for Slack: summary first, then the details, then where it came from. */
export function formatSlackMessage(alert: Alert): SlackMessage {
  const detailLines = isDriftAlert(alert) ? renderDrift(alert.details) : renderGeneric(alert.details);
  const blocks: SlackBlock[] = [
    {
      type: 'section',
      text: {
        type: 'mrkdwn',
        text: truncate(`${ICONS[alert.severity]} *${escapeMrkdwn(alert.summary)}*`, MAX_SECTION),
      },
    },
  ];
  if (detailLines.length > 0) {
    blocks.push({ type: 'section', text: { type: 'mrkdwn', text: truncate(detailLines.join('\n'), MAX_SECTION) } });
  }
  const origin = [alert.event, alert.severity, alert.runId ? `run ${alert.runId}` : null, alert.at].filter(
    (part): part is string => part !== null,
  );
  blocks.push({ type: 'context', elements: [{ type: 'mrkdwn', text: escapeMrkdwn(origin.join(' · ')) }] });
  return { text: truncate(alert.summary, MAX_SECTION), blocks };
}
