import type { Command } from 'commander';
import { BadRequestError, NotFoundError } from '../../domain/errors.js';
import { EXIT } from '../errors.js';
import { printJson, withStore } from '../context.js';
import { actorOf, addActorOption, integerArg } from '../options.js';
import { renderJournalList, renderRunText, renderVerdict } from '../render-run.js';
import { parseHead } from '../../services/journal-checkpoints.js';
import { historyToCsv, historyToText, userHistory } from '../../services/history.js';
import { normalizeUserKey } from '../../domain/entitlement.js';
import { requireEnv } from '../../config/load.js';
import { createJournalHasher } from '../../store/journal-hash.js';

interface JournalListOptions {
  limit: number;
  user?: string;
  since?: string;
  format?: string;
  json?: boolean;
}

/** `journal list --user` and `history <user>`: "what happened to Bob's access this quarter", from the chain alone. */
export async function listUserHistory(command: Command, opts: JournalListOptions): Promise<void> {
  const user = normalizeUserKey(opts.user ?? '');
  const problems: string[] = [];
  if (!user.includes('@')) problems.push(`--user must be an e-mail, not "${opts.user}"`);
  const since = opts.since === undefined ? undefined : new Date(opts.since);
  if (since && Number.isNaN(since.getTime())) problems.push(`--since "${opts.since}" is not a date`);
  const format = opts.json ? 'json' : (opts.format ?? 'text');
  if (!['text', 'json', 'csv'].includes(format)) problems.push(`--format must be text, json or csv, not "${format}"`);
  if (problems.length) throw new BadRequestError(problems.join('; '), problems);
  await withStore(command, async (rt) => {
    const history = await userHistory(rt.store, user, since ? { since } : {});
    if (format === 'json') printJson({ user, history });
    else if (format === 'csv') process.stdout.write(historyToCsv(history));
    else process.stdout.write(historyToText(user, history));
  });
}

export function registerJournal(program: Command): void {
  const journal = program.command('journal').description('the append-only, hash-chained record of every run');
  journal
    .command('list')
    .description("the latest runs, newest first; with --user, that user's access history, oldest first")
    .option('--limit <n>', 'how many runs', integerArg('--limit', 1), 20)
    .option('--user <email>', "one user's history: changes, exceptions, approvals, tasks and review decisions")
    .option('--since <date>', 'with --user: only entries from this ISO date on')
    .option('--format <format>', 'with --user: text (default), json or csv')
    .option('--json', 'print JSON')
    .action(async (opts: JournalListOptions, command: Command) => {
      if (opts.user !== undefined) return listUserHistory(command, opts);
      if (opts.since !== undefined || opts.format !== undefined) {
        throw new BadRequestError('--since and --format go with --user <email>');
      }
      await withStore(command, async (rt) => {
        const rows = await rt.store.listJournal({ limit: opts.limit });
        if (opts.json) printJson({ runs: rows });
        else process.stdout.write(renderJournalList(rows));
      });
    });
  journal
    .command('show <id>')
    .description('one run: state before, plan, each result, state after')
    .option('--json', 'print JSON')
    .action(async (id: string, opts: { json?: boolean }, command: Command) => {
      await withStore(command, async (rt) => {
        const record = await rt.store.getJournal(id);
        if (!record) throw new NotFoundError(`no run ${id}`);
        if (opts.json) printJson(record);
        else process.stdout.write(renderRunText(record));
      });
    });
  journal
    .command('verify')
    .description(
      'walk the hash chain (under the journal key, when configured), check it still holds the latest checkpoint ' +
        'and the pinned head, and name the first problem',
    )
    .option('--expect-head <sequence:hash>', 'a head you kept (a checkpoint): exit 1 when the chain no longer holds it')
    .option('--json', 'print JSON: { ok, records, head: { sequence, hash }, firstBad?, pins }')
    .action(async (opts: { expectHead?: string; json?: boolean }, command: Command) => {
      const expectHead = opts.expectHead === undefined ? undefined : parseHead(opts.expectHead);
      if (expectHead === null) throw new BadRequestError('--expect-head must be <sequence>:<64 hex digits>');
      await withStore(command, async (rt) => {
        const verdict = await rt.journal.verify(expectHead ? { expectHead } : {});
        if (opts.json) printJson(verdict);
        else process.stdout.write(renderVerdict(verdict));
        if (!verdict.ok) process.exitCode = EXIT.failure;
      });
    });
  addActorOption(
    journal
      .command('rekey')
      .description(
        'migrate an unkeyed journal, or one keyed under another key, to the key in journal.keyEnv: checks the ' +
          'chain as written, re-hashes every record under the key and journals that it did (old pins and ' +
          'checkpoints no longer match afterwards)',
      )
      .option('--from-key-env <VAR>', 'the environment variable holding the key the journal was written with')
      .option('--json', 'print JSON'),
  ).action(async (opts: { actor?: string; fromKeyEnv?: string; json?: boolean }, command: Command) => {
    const actor = actorOf(opts);
    const variable = opts.fromKeyEnv;
    const previousKey =
      variable === undefined
        ? undefined
        : createJournalHasher(requireEnv(process.env, [{ key: '--from-key-env', variable }])[variable]!);
    await withStore(command, async (rt) => {
      if (!rt.config.journal.keyEnv)
        throw new BadRequestError('journal.keyEnv is not configured: nothing to re-key with');
      const { rekeyed, record } = await rt.journal.rekey(actor, previousKey);
      if (opts.json) printJson({ rekeyed, record: { id: record.id, sequence: record.sequence, hash: record.hash } });
      else {
        process.stdout.write(
          `re-keyed ${rekeyed} record(s); journaled as #${record.sequence} (${record.id}); new head ${record.sequence}:${record.hash}\n`,
        );
      }
    });
  });
}
