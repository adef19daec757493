import type { Command } from 'commander';
import { ConfigError } from '../../domain/errors.js';
import { normalizeUserKey } from '../../domain/entitlement.js';
import { explainUser, type UserExplanation } from '../../mapping/explain.js';
import { renderExplanationText } from '../../mapping/render-explanation.js';
import { withCommandContext, type CommandContext } from '../context.js';
import { EXIT } from '../errors.js';
import { configOption, printJson } from '../options.js';
import { loadMappingQuietly, readDirectoryForCli } from './validate.js';

interface ExplainOptions {
  directory?: string;
  mappings?: string;
  json?: boolean;
}

export function registerExplain(program: Command): void {
  program
    .command('explain')
    .description(
      'show why a user gets each entitlement: every rule and group that grants it, which one won, the exceptions ' +
        'that override it and what Heap has now',
    )
    .argument('<user>', 'e-mail, userName or identity id')
    .option('--directory <file>', "directory snapshot (default: the config's sources)")
    .option('--mappings <dir>', 'mappings folder (default: the config\'s "mappings")')
    .option('--json', 'print JSON')
    .action(async (user: string, opts: ExplainOptions, command: Command) =>
      // one runtime for the sources, the store and Heap, each opened when first needed
      withCommandContext(command, async (ctx) => {
        // the directory first: without --directory it needs the config, and says so before the mapping is looked for
        const snapshot = await readDirectoryForCli(command, opts.directory, () => ctx.runtime());
        const mapping = await loadMappingQuietly(command, opts.mappings);
        const explanation = explainUser(mapping, snapshot, user);
        if (!opts.directory && configOption(command) !== undefined && explanation.user) {
          await addStoreAndHeap(ctx, explanation, explanation.user);
        }
        if (opts.json) printJson(explanation);
        else process.stdout.write(renderExplanationText(explanation));
        // an unknown user is most likely a typo: say so to scripts too
        if (!explanation.found) process.exitCode = EXIT.badInput;
      }),
    );
}

/**
 * The user's active exceptions (the store: no secret needed) and what Heap has for them (the target: its token).
 * Without the token explain still answers from the store alone, and says what it could not read.
 */
async function addStoreAndHeap(ctx: CommandContext, e: UserExplanation, user: string): Promise<void> {
  const key = normalizeUserKey(user);
  let heap: UserExplanation['heap'];
  let heapNote: string | null = null;
  try {
    // the whole runtime first: its store then serves the exceptions too
    const [teammate] = await (await ctx.runtime()).target.readUsers([key]);
    heap = teammate
      ? {
          found: true,
          access: teammate.access,
          ...(teammate.ownedAssets !== undefined && { ownedAssets: teammate.ownedAssets }),
          ...(teammate.lastActiveAt !== undefined && { lastActiveAt: teammate.lastActiveAt }),
        }
      : { found: false, access: {} };
  } catch (err) {
    if (!(err instanceof ConfigError)) throw err;
    heapNote = `Heap was not read: ${err.message}`;
  }
  const { store } = await ctx.store();
  e.exceptions = (await store.listExceptions({ now: new Date() })).filter((x) => normalizeUserKey(x.user) === key);
  if (heap) e.heap = heap;
  if (heapNote) e.notes.push(heapNote);
}
