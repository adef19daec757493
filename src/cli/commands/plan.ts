import fs from 'node:fs/promises';
import type { Command } from 'commander';
import { z } from 'zod';
import type { DesiredState } from '../../domain/desired.js';
import { type Access, normalizeUserKey } from '../../domain/entitlement.js';
import { BadRequestError } from '../../domain/errors.js';
import type { AccessException } from '../../domain/exception.js';
import type { DirectorySnapshot } from '../../domain/identity.js';
import type { MappingSet } from '../../domain/mapping.js';
import type { Plan } from '../../domain/plan.js';
import type { Teammate } from '../../domain/teammate.js';
import { evaluateMapping } from '../../mapping/evaluate.js';
import { planChanges, planToJson, renderPlanText } from '../../planner/index.js';
import { fingerprintsOf, savedPlanOf } from '../../services/saved-plans.js';
import type { PlanPreview } from '../../services/sync.js';
import { EXIT } from '../errors.js';
import { withRuntime } from '../context.js';
import { printJson } from '../options.js';
import { loadMappingQuietly, readDirectoryForCli } from './validate.js';

export interface PlanCommandOptions {
  directory?: string;
  actual?: string;
  baseline?: string;
  mappings?: string;
  json?: boolean;
  failOnChanges?: boolean;
  /** online: write the plan and its fingerprints for `sync --plan` */
  out?: string;
}

/** DESIGN §6: the stand-in's `GET /api/teammates`; a `null` value means no access, as in a PATCH. */
const teammatesSchema = z.object({
  teammates: z.array(
    z.object({
      email: z.string().min(1),
      userName: z.string().optional(),
      externalId: z.string().optional(),
      displayName: z.string().optional(),
      access: z.record(z.string(), z.string().nullable()).default({}),
    }),
  ),
});

/** Reads a teammates JSON file; every problem is bad input naming the file and the path. */
export async function readTeammatesFile(file: string): Promise<Teammate[]> {
  let text: string;
  try {
    text = await fs.readFile(file, 'utf8');
  } catch (err) {
    throw new BadRequestError(`cannot read ${file}: ${(err as NodeJS.ErrnoException).code ?? String(err)}`);
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (err) {
    throw new BadRequestError(`${file}: not valid JSON: ${(err as Error).message}`);
  }
  const parsed = teammatesSchema.safeParse(json);
  if (!parsed.success) {
    const problems = parsed.error.issues.map((i) => `${i.path.join('.') || '(root)'}: ${i.message}`);
    throw new BadRequestError(`${file}: ${problems.join('; ')}`);
  }
  return parsed.data.teammates.map(({ access, ...rest }) => {
    const clean: Access = {};
    for (const [key, value] of Object.entries(access)) if (value !== null) clean[key] = value;
    const t: Teammate = { email: rest.email, access: clean };
    if (rest.userName !== undefined) t.userName = rest.userName;
    if (rest.externalId !== undefined) t.externalId = rest.externalId;
    if (rest.displayName !== undefined) t.displayName = rest.displayName;
    return t;
  });
}

/** A teammates document used as a baseline: every teammate in it counts as reconciled. */
export const baselineFromTeammates = (teammates: readonly Teammate[]): Map<string, Access> =>
  new Map(teammates.map((t) => [normalizeUserKey(t.email), t.access]));

export interface WhatIfInput {
  mapping: MappingSet;
  snapshot: DirectorySnapshot;
  actual: Teammate[];
  baseline: Map<string, Access>;
  exceptions?: AccessException[];
  now: Date;
  approved?: boolean;
}

/** Evaluation and planning, nothing written: the offline planner's core, reusable by an online `plan`. */
export function planWhatIf(input: WhatIfInput): { plan: Plan; desired: DesiredState } {
  const desired = evaluateMapping(input.mapping, input.snapshot);
  const plan = planChanges({
    mapping: input.mapping,
    desired,
    actual: input.actual,
    baseline: input.baseline,
    exceptions: input.exceptions ?? [],
    now: input.now,
    approved: input.approved ?? false,
  });
  return { plan, desired };
}

const MAX_WARNINGS_SHOWN = 20;

/**
 * Prints the plan (text or JSON) and returns the exit code: 4 when a guard holds it; with `failOnChanges`, 5 when
 * it would change anyone's access (a change no guard blocks), for a mapping's pull request.
 */
export function printPlan(
  plan: Plan,
  desired: DesiredState,
  mapping: MappingSet,
  options: { json?: boolean | undefined; failOnChanges?: boolean | undefined },
): number {
  const json = options.json ?? false;
  if (json) {
    printJson({ ...planToJson(plan), mappingVersion: mapping.version, evaluationWarnings: desired.warnings });
  } else {
    for (const w of desired.warnings.slice(0, MAX_WARNINGS_SHOWN)) {
      process.stderr.write(`warning: ${w.user} ${w.entitlement}: ${w.message}\n`);
    }
    const more = desired.warnings.length - MAX_WARNINGS_SHOWN;
    if (more > 0) process.stderr.write(`warning: ${more} more evaluation warning(s); --json lists them all\n`);
    process.stdout.write(renderPlanText(plan));
  }
  if (plan.held) return EXIT.held;
  const changesAccess = plan.changes.some((c) => c.blocked === null);
  return options.failOnChanges && changesAccess ? EXIT.changes : EXIT.ok;
}

/** `plan --directory --actual [--baseline]`: the offline what-if planner (issue 2); needs no server. */
export async function runOfflinePlan(command: Command, opts: PlanCommandOptions): Promise<number> {
  if (!opts.directory || !opts.actual) {
    throw new BadRequestError('the offline plan needs --directory <file.json> and --actual <teammates.json>');
  }
  const mapping = await loadMappingQuietly(command, opts.mappings);
  const snapshot = await readDirectoryForCli(command, opts.directory);
  const actual = await readTeammatesFile(opts.actual);
  const baseline = opts.baseline ? baselineFromTeammates(await readTeammatesFile(opts.baseline)) : new Map();
  const { plan, desired } = planWhatIf({ mapping, snapshot, actual, baseline, now: new Date() });
  return printPlan(plan, desired, mapping, opts);
}

/** `plan` without files: reads the configured sources and Heap now, exactly as `sync` would; writes nothing. */
async function runOnlinePlan(command: Command, opts: PlanCommandOptions & { user?: string[] }): Promise<number> {
  if (opts.mappings || opts.baseline)
    throw new BadRequestError('--mappings and --baseline go with --directory and --actual');
  return withRuntime(command, async (rt, terminal) => {
    const progress = opts.json ? undefined : terminal.progress;
    const preview = await rt.sync.plan({
      ...(opts.user && { scope: opts.user }),
      ...(progress && { onProgress: progress }),
    });
    const { plan, desired, mapping } = preview;
    terminal.done();
    if (opts.out) await writeSavedPlan(opts.out, preview, opts.user ?? null, rt.clock.now());
    const code = printPlan(plan, desired, mapping, opts);
    if (opts.out && !opts.json)
      process.stdout.write(`wrote ${opts.out}: apply exactly this plan with sync --plan ${opts.out}\n`);
    return code;
  });
}

/** `plan --out`: the plan with the fingerprints of what it was computed from. */
async function writeSavedPlan(file: string, preview: PlanPreview, scope: string[] | null, now: Date): Promise<void> {
  const fingerprints = fingerprintsOf({
    mappingVersion: preview.mapping.version,
    sourcesVersion: preview.snapshot.version,
    actual: preview.actual,
    plan: preview.plan,
  });
  const saved = savedPlanOf(preview.plan, fingerprints, scope, now);
  try {
    await fs.writeFile(file, `${JSON.stringify(saved, null, 2)}\n`);
  } catch (err) {
    throw new BadRequestError(`cannot write ${file}: ${(err as NodeJS.ErrnoException).code ?? String(err)}`);
  }
}

export function registerPlanOffline(program: Command): void {
  program
    .command('plan')
    .description(
      'what a sync would change, and the drift it would find; nothing is written (offline with --directory and --actual)',
    )
    .addHelpText(
      'after',
      '\nOnline (no --directory): reads the configured sources and Heap, as sync would. Offline: needs no config, no\nserver and no secret. Exit codes: 0 ok, 2 bad input, 4 a guard would hold the plan, 5 with --fail-on-changes\nwhen the plan would change access. The JSON shape is described in the README ("JSON output").',
    )
    .option('--directory <file>', 'directory snapshot (file source JSON: users and groups)')
    .option('--actual <file>', "Heap's teammates now (JSON: { teammates: [{ email, access }] })")
    .option(
      '--baseline <file>',
      'what the last sync established (same shape); without it every user is new to the sync',
    )
    .option('--mappings <dir>', 'mappings folder (default: the config\'s "mappings")')
    .option('--json', 'print JSON: { changes, drift, held, heldBy, summary, warnings, … }')
    .option('--user <email...>', 'online: limit the plan to these users')
    .option('--fail-on-changes', "exit 5 when the plan would change anyone's access (CI for a mapping's pull request)")
    .option('--out <file>', 'online: save the plan for sync --plan, which applies it only if nothing changed since')
    .action(async (opts: PlanCommandOptions & { user?: string[] }, command: Command) => {
      if (opts.out && (opts.directory || opts.actual)) {
        throw new BadRequestError('--out saves an online plan for sync --plan: not with --directory and --actual');
      }
      process.exitCode =
        opts.directory || opts.actual ? await runOfflinePlan(command, opts) : await runOnlinePlan(command, opts);
    });
}
