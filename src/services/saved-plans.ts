import { createHash } from 'node:crypto';
import { z } from 'zod';
import { BadRequestError } from '../domain/errors.js';
import type { Plan } from '../domain/plan.js';
import type { Teammate } from '../domain/teammate.js';
import { planToJson } from '../planner/index.js';

export const SAVED_PLAN_FORMAT = 'heap-access-sync/saved-plan';

/**
 * What a saved plan was computed from. `sync --plan` reads everything again and applies the plan only when all
 * four are unchanged, as Terraform refuses a stale saved plan.
 */
export interface PlanFingerprints {
  /** the mapping's version (hash) */
  mapping: string;
  /** the identity snapshot's version: every source's read */
  sources: string;
  /** Heap's teammates and their access */
  heap: string;
  /** the plan itself: covers the baseline and exceptions it was planned against */
  plan: string;
}

/** `plan --out <file>`: the plan, its scope and its fingerprints. */
export interface SavedPlan {
  format: typeof SAVED_PLAN_FORMAT;
  version: 1;
  createdAt: string;
  scope: string[] | null;
  fingerprints: PlanFingerprints;
  plan: Plan;
}

const sha = (value: unknown) => createHash('sha256').update(JSON.stringify(value)).digest('hex').slice(0, 32);

/** Heap's state as the planner sees it: identities and access, not facts that drift by the minute (activity). */
export function fingerprintHeap(actual: readonly Teammate[]): string {
  const rows = actual
    .map((t) => [
      t.email.toLowerCase(),
      t.userName ?? null,
      t.externalId ?? null,
      Object.entries(t.access).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)),
    ])
    .sort((a, b) => (String(a[0]) < String(b[0]) ? -1 : String(a[0]) > String(b[0]) ? 1 : 0));
  return sha(rows);
}

/** The plan's decisions: every field but its summary, warnings and last-activity facts (which drift by the minute). */
export function fingerprintPlan(plan: Plan): string {
  const { summary: _summary, warnings: _warnings, ...decisions } = plan;
  return createHash('sha256')
    .update(JSON.stringify(decisions, (key, value: unknown) => (key === 'lastActiveAt' ? undefined : value)))
    .digest('hex')
    .slice(0, 32);
}

export function fingerprintsOf(input: {
  mappingVersion: string;
  sourcesVersion: string;
  actual: readonly Teammate[];
  plan: Plan;
}): PlanFingerprints {
  return {
    mapping: input.mappingVersion,
    sources: input.sourcesVersion,
    heap: fingerprintHeap(input.actual),
    plan: fingerprintPlan(input.plan),
  };
}

export function savedPlanOf(
  plan: Plan,
  fingerprints: PlanFingerprints,
  scope: string[] | null,
  createdAt: Date,
): SavedPlan {
  return {
    format: SAVED_PLAN_FORMAT,
    version: 1,
    createdAt: createdAt.toISOString(),
    scope,
    fingerprints,
    plan: planToJson(plan),
  };
}

const WHAT_CHANGED: Record<keyof PlanFingerprints, string> = {
  mapping: 'the mapping changed',
  sources: "the sources' users or groups changed",
  heap: 'Heap changed',
  plan: 'the plan it would make now differs (baseline, exceptions or time-bound rules)',
};

/** Raised by `sync --plan` when what the plan was computed from changed since: nothing is applied. */
export class StalePlanError extends BadRequestError {
  constructor(readonly changed: (keyof PlanFingerprints)[]) {
    super(
      `the saved plan is stale, so nothing was applied: since it was made, ${changed.map((k) => WHAT_CHANGED[k]).join('; ')}. ` +
        'Run plan --out again and review the new plan.',
    );
  }
}

/** The fingerprints that differ; the mapping and sources first, since they explain the rest. */
export function staleFingerprints(saved: PlanFingerprints, now: PlanFingerprints): (keyof PlanFingerprints)[] {
  return (['mapping', 'sources', 'heap', 'plan'] as const).filter((k) => saved[k] !== now[k]);
}

const savedPlanSchema = z.object({
  format: z.literal(SAVED_PLAN_FORMAT),
  version: z.literal(1),
  createdAt: z.string(),
  scope: z.array(z.string()).nullable(),
  fingerprints: z.object({ mapping: z.string(), sources: z.string(), heap: z.string(), plan: z.string() }),
  plan: z.looseObject({ changes: z.array(z.unknown()), drift: z.array(z.unknown()) }),
});

/** A saved plan file's JSON, checked; a problem is bad input naming the file. */
export function parseSavedPlan(text: string, file: string): SavedPlan {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (err) {
    throw new BadRequestError(`${file}: not valid JSON: ${(err as Error).message}`);
  }
  const parsed = savedPlanSchema.safeParse(json);
  if (!parsed.success) {
    const problems = parsed.error.issues.map((i) => `${i.path.join('.') || '(root)'}: ${i.message}`);
    throw new BadRequestError(`${file}: not a plan saved by plan --out: ${problems.join('; ')}`);
  }
  return parsed.data as unknown as SavedPlan;
}
