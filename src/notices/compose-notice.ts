import type { Reason } from '../domain/desired.js';
import { parseEntitlement, ACTIVE, DEACTIVATED } from '../domain/entitlement.js';
import type { JournalRecord } from '../domain/journal.js';
import type { Project } from '../domain/model.js';
import type { Change } from '../domain/plan.js';
import { renderTemplate, type NoticeTemplate } from './notice-template.js';

/** One e-mail to one person. */
export interface Notice {
  to: string;
  subject: string;
  text: string;
}

export interface NoticeContext {
  projects: readonly Project[];
  /** whom to ask (the reply-to address) */
  contact: string;
  template: NoticeTemplate;
}

/** What each role lets a person do, in the words of Heap's guide. */
const CAN_DO: Record<string, string> = {
  'org:Admin': 'you can now manage the organization: billing, users, SSO and every project',
  'org:Member': 'you keep only the project access listed here',
  'project:Admin': 'you can manage its settings, tracking plan, integrations and data',
  'project:Member': 'you can create and edit analyses, funnels and dashboards',
  'project:Viewer': 'you can view shared content, but not create analyses',
};

/**
 * The notices of one run: one per person whose access the run changed (applied changes only), in plain words:
 * what changed, why, when, until when if temporary, and whom to ask. Pure: the same run gives the same mails.
 */
export function composeNotices(record: JournalRecord, ctx: NoticeContext): Notice[] {
  const byUser = new Map<string, Change[]>();
  for (const r of record.results) {
    if (r.outcome !== 'applied') continue;
    const list = byUser.get(r.change.user) ?? [];
    list.push(r.change);
    byUser.set(r.change.user, list);
  }
  const when = `${record.endedAt.slice(0, 16).replace('T', ' ')} UTC`;
  const notices: Notice[] = [];
  for (const [user, changes] of [...byUser].sort(([a], [b]) => (a < b ? -1 : 1))) {
    const temporary = changes.flatMap((c) => untilOf(c));
    const { subject, text } = renderTemplate(ctx.template, {
      user,
      when,
      changes: changes.map((c) => `- ${describeChange(c, ctx.projects)}`).join('\n'),
      temporary: temporary.length ? `${[...new Set(temporary)].join('\n')}\n` : '',
      contact: ctx.contact,
      runId: record.id,
    });
    notices.push({ to: user, subject, text });
  }
  return notices;
}

/** "Project Web App (web-prod): Member -> Admin: you can manage … Why: you are in the group …". */
export function describeChange(c: Change, projects: readonly Project[]): string {
  const ref = parseEntitlement(c.entitlement);
  const projectName = (key: string) => {
    const p = projects.find((x) => x.key === key);
    return p && p.name !== key ? `${p.name} (${key})` : key;
  };
  let what: string;
  let canDo: string | undefined;
  switch (ref?.kind) {
    case 'membership':
      what =
        c.to === ACTIVE
          ? 'Your Heap account is active.'
          : c.to === DEACTIVATED
            ? 'Your Heap account was deactivated: you can no longer sign in. Your analyses and data stay in Heap.'
            : 'Your Heap account was removed.';
      break;
    case 'org':
      what = `Organization role: ${role(c.from)} -> ${role(c.to)}.`;
      canDo = c.to ? CAN_DO[`org:${c.to}`] : undefined;
      break;
    case 'project':
      what =
        c.to === null
          ? `Project ${projectName(ref.project)}: removed (you were ${c.from}).`
          : `Project ${projectName(ref.project)}: ${role(c.from)} -> ${c.to}.`;
      canDo = c.to ? CAN_DO[`project:${c.to}`] : undefined;
      break;
    case 'module':
      what =
        c.to === null
          ? `${moduleName(ref.module)} on ${projectName(ref.project)}: revoked.`
          : `${moduleName(ref.module)} on ${projectName(ref.project)}: ${c.from === null ? 'granted' : `${c.from} -> ${c.to}`}${c.to === 'enabled' ? '' : ` (${c.to})`}.`;
      break;
    case 'team':
      what = c.to === null ? `Team ${ref.team}: you left it.` : `Team ${ref.team}: you joined it.`;
      break;
    default:
      what = `${c.entitlement}: ${role(c.from)} -> ${role(c.to)}.`;
  }
  return `${what}${canDo ? ` Now ${canDo}.` : ''} Why: ${whyOf(c)}`;
}

const role = (v: string | null): string => v ?? 'no access';
const moduleName = (m: string): string => m.charAt(0).toUpperCase() + m.slice(1);

/** The reason in plain words: a rule and its group, an exception and its approver, or the policy. */
function whyOf(c: Change): string {
  if (c.cause === 'manual-override' || c.cause === 'conflict') {
    return `it had been changed by hand in Heap, and ${reasonsText(c.reasons) || 'no group of yours grants it'}, so it was set back.`;
  }
  const text = reasonsText(c.reasons);
  if (text) return `${text}.`;
  return c.to === null || c.to === DEACTIVATED
    ? 'no group of yours grants this access any more.'
    : 'the mapping says so.';
}

function reasonsText(reasons: readonly Reason[]): string {
  return reasons
    .map((r) => {
      if ('rule' in r) {
        return r.lost
          ? `the group "${r.group}" (rule ${r.rule}) that gave it to you no longer does`
          : `you are in the group "${r.group}" (rule ${r.rule})`;
      }
      if ('grantedBy' in r) return 'no group of yours grants this access any more';
      if ('exception' in r) {
        return r.expired
          ? `the temporary access approved by ${r.approver} ("${r.reason}") ended`
          : `${r.approver} approved it for you: "${r.reason}"`;
      }
      return r.value === 'keep'
        ? 'your account is left as it is'
        : `you are in no group that gives Heap access (${r.detail})`;
    })
    .join('; ');
}

/** A temporary grant says until when, and that it ends by itself. */
function untilOf(c: Change): string[] {
  const out: string[] = [];
  for (const r of c.reasons) {
    if ('exception' in r && !r.expired && c.to !== null) {
      out.push(
        `This access is temporary: it ends on ${r.expiresAt.slice(0, 16).replace('T', ' ')} UTC, when it is set back automatically.`,
      );
    }
  }
  return out;
}
