import type { Command } from 'commander';
import { explainUser } from '../../mapping/explain.js';
import { renderExplanationText } from '../../mapping/render-explanation.js';
import { EXIT } from '../errors.js';
import { printJson } from '../options.js';
import { loadMappingQuietly, readDirectoryForCli } from './validate.js';

interface ExplainOptions {
  directory?: string;
  mappings?: string;
  json?: boolean;
}

export function registerExplain(program: Command): void {
  program
    .command('explain')
    .description('show why a user gets each entitlement: every rule and group that grants it, and which one won')
    .argument('<user>', 'e-mail, userName or identity id')
    .option('--directory <file>', "directory snapshot (default: the config's file sources)")
    .option('--mappings <dir>', 'mappings folder (default: the config\'s "mappings")')
    .option('--json', 'print JSON')
    .action(async (user: string, opts: ExplainOptions, command: Command) => {
      // the directory first: without --directory it needs the config, and says so before the mapping is looked for
      const snapshot = await readDirectoryForCli(command, opts.directory);
      const mapping = await loadMappingQuietly(command, opts.mappings);
      const explanation = explainUser(mapping, snapshot, user);
      if (opts.json) printJson(explanation);
      else process.stdout.write(renderExplanationText(explanation));
      // an unknown user is most likely a typo: say so to scripts too
      if (!explanation.found) process.exitCode = EXIT.badInput;
    });
}
