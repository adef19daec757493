import { z } from 'zod';
import { ROLES } from '../../domain/role.js';

/**
 * The admin API's request and response shapes. The router validates with these and the OpenAPI document is
 * generated from these, so the two cannot disagree.
 */

const flag = z.enum(['true', 'false']).transform((v) => v === 'true');
const userKey = z.string().trim().min(1).max(320);
const entitlement = z
  .string()
  .trim()
  .min(1)
  .max(200)
  .describe('membership | org | project:<key> | module:<module>:<key>');
const value = z.string().nullable();
const reason = z.string().trim().min(1, 'reason is required (auditors ask why)').max(2000);
const expires = z.string().trim().min(1).max(64).describe('an ISO date-time, or a duration from now such as 7d, 12h');
const approver = z
  .string()
  .trim()
  .min(1)
  .max(200)
  .describe('who approved it; defaults to the name of the administrator making the request');

export const idParams = z.strictObject({ id: z.string().min(1).max(200) });
export const userParams = z.strictObject({ user: userKey.describe('the user, by e-mail') });

export const noQuery = z.strictObject({});
export const journalQuery = z.strictObject({
  limit: z.coerce.number().int().min(1).max(500).default(50),
  before: z.coerce.number().int().min(1).optional().describe('only records with a lower sequence (paging cursor)'),
});
export const planQuery = z.strictObject({
  users: z
    .string()
    .max(10_000)
    .optional()
    .describe('comma-separated e-mails: plan only these users (as an incremental run would)'),
});
export const exceptionsQuery = z.strictObject({
  all: flag.optional().describe('include expired and revoked exceptions'),
});
export const docsQuery = z.strictObject({
  format: z.enum(['md', 'html', 'csv', 'json']).default('md'),
  withMembers: flag.optional().describe("include every user's effective access and its reasons (access review)"),
});

export const syncBody = z
  .strictObject({
    dryRun: z.boolean().optional().describe('plan and journal, apply nothing'),
    approve: z.string().min(1).max(200).optional().describe('the run id of a held plan to approve and apply'),
    users: z
      .array(userKey)
      .min(1)
      .max(1000)
      .optional()
      .describe('limit the run to these users (e.g. "revert now" for one user)'),
    revertNow: z
      .boolean()
      .optional()
      .describe("revert these users' drift now, without waiting out policy.revertAfter (needs users)"),
  })
  .refine((b) => !(b.revertNow && !b.users), { message: 'revertNow needs users', path: ['revertNow'] })
  .refine((b) => !(b.dryRun && b.approve), { message: 'dryRun and approve cannot be combined', path: ['approve'] })
  .refine((b) => !(b.approve && b.users), {
    message: 'an approval applies the held plan for its own users; do not pass users',
    path: ['users'],
  });

export const directExceptionBody = z
  .strictObject({ user: userKey, entitlement, value, reason, approver: approver.optional(), expires })
  .describe('grant a temporary override');
export const driftExceptionBody = z
  .strictObject({
    fromDrift: z.strictObject({ user: userKey, entitlement }),
    reason,
    approver: approver.optional(),
    expires,
  })
  .describe("accept a manual change seen as drift until it expires: the exception's value is what Heap has now");
export const exceptionBody = z.union([directExceptionBody, driftExceptionBody]);

// Responses. Loose where the domain may grow: more fields are welcome (DESIGN §6).
const change = z.looseObject({
  user: z.string(),
  entitlement: z.string(),
  from: value,
  to: value,
  cause: z.enum(['idp-change', 'manual-override', 'conflict', 'unmanaged', 'exception']),
  reasons: z.array(z.looseObject({})),
  risk: z.array(z.string()),
  blocked: z.string().nullable(),
});
const sideEffect = z
  .looseObject({ entitlement: z.string(), from: value, to: value })
  .describe('another entitlement change the suggested group change would cause for that user');
export const driftItem = z.looseObject({
  user: z.string(),
  entitlement: z.string(),
  baseline: value,
  actual: value,
  desired: value,
  cause: z.enum(['manual-override', 'conflict', 'unmanaged']),
  action: z.enum(['revert', 'keep']),
  suggestion: z.string(),
  sideEffects: z.array(sideEffect).optional(),
  suggestions: z
    .array(
      z.looseObject({
        suggestion: z.string(),
        suggestedActions: z.array(z.looseObject({})),
        sideEffects: z.array(sideEffect),
      }),
    )
    .optional()
    .describe('every suggestion considered, fewest side effects first; the first is `suggestion`'),
});
export const plan = z.looseObject({
  changes: z.array(change),
  drift: z.array(driftItem),
  held: z.boolean(),
  heldBy: z.string().nullable(),
  holdReason: z.string().nullable().optional(),
  summary: z.looseObject({}),
  warnings: z.array(z.string()),
});
export const exception = z.looseObject({
  id: z.string(),
  user: z.string(),
  entitlement: z.string(),
  value,
  reason: z.string(),
  approver: z.string(),
  createdAt: z.string(),
  expiresAt: z.string(),
  revokedAt: z.string().nullable().optional(),
});
export const approvalsQuery = z.strictObject({
  all: flag.optional().describe('include decided, applied and expired approvals'),
});
export const approvalDecisionBody = z.strictObject({
  decision: z.enum(['approve', 'reject']),
  reason: z.string().trim().min(1, 'reason is required (auditors ask why)').max(2000),
});
export const approval = z.looseObject({
  id: z.string(),
  user: z.string(),
  entitlement: z.string(),
  from: value,
  value,
  ground: z.enum(['org-admin', 'production-admin', 'module']),
  origin: z.enum(['idp', 'exception']),
  requestedBy: z.string(),
  exceptionId: z.string().nullable(),
  runId: z.string(),
  createdAt: z.string(),
  expiresAt: z.string(),
  status: z.enum(['pending', 'approved', 'rejected', 'applied', 'expired']),
  decidedBy: z.string().nullable(),
  decidedAt: z.string().nullable(),
  reason: z.string().nullable(),
  appliedRunId: z.string().nullable(),
});
const runStatus = z.enum(['succeeded', 'partial', 'failed', 'held', 'dry-run', 'recorded']);
const runTrigger = z.enum([
  'cli',
  'api',
  'schedule',
  'scim',
  'exception-expiry',
  'approval',
  'exception',
  'rekey',
  'review',
  'task',
]);
export const journalSummary = z.looseObject({
  id: z.string(),
  sequence: z.number().int(),
  trigger: runTrigger,
  status: runStatus,
  startedAt: z.string(),
  endedAt: z.string(),
  changes: z.number().int(),
  applied: z.number().int(),
  failed: z.number().int(),
  blocked: z.number().int(),
  drift: z.number().int(),
});
export const journalRecord = z.looseObject({
  id: z.string(),
  sequence: z.number().int(),
  trigger: runTrigger,
  actor: z.string().optional(),
  status: runStatus,
  error: z.string().optional(),
  startedAt: z.string(),
  endedAt: z.string(),
  mappingVersion: z.string().nullable(),
  scope: z.array(z.string()).nullable(),
  plan: plan.nullable(),
  results: z.array(z.looseObject({ change, outcome: z.enum(['applied', 'blocked', 'failed', 'skipped']) })),
  prevHash: z.string(),
  hash: z.string(),
});
export const statusReport = z.looseObject({
  generatedAt: z.string(),
  target: z.string(),
  lastSuccessfulSyncAt: z.string().nullable(),
  runs: z.array(z.looseObject({ id: z.string(), trigger: runTrigger, status: runStatus, durationMs: z.number() })),
  drift: z.looseObject({
    items: z.array(driftItem),
    basis: z.enum(['live', 'journal', 'none']),
    asOf: z.string().nullable(),
    refreshing: z.boolean(),
    error: z.string().nullable(),
  }),
  heldPlans: z.array(z.looseObject({ runId: z.string(), heldBy: z.string().nullable() })),
  expiringExceptions: z.array(exception),
  sources: z.array(
    z.looseObject({ name: z.string(), lastReadAt: z.string().nullable(), lastError: z.string().nullable() }),
  ),
  mapping: z.looseObject({ version: z.string(), reloadFailed: z.boolean() }),
});
export const whoami = z.strictObject({ role: z.enum(ROLES), name: z.string() });
/** What the error boundary (src/http/errors.ts) answers. */
export const errorBody = z.looseObject({
  error: z.string().describe('what went wrong, for a person'),
  requestId: z.string().optional().describe('the id in the server log'),
  issues: z
    .array(z.looseObject({ path: z.string(), message: z.string() }))
    .optional()
    .describe('each invalid field'),
  details: z.unknown().optional(),
});
