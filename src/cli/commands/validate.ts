import path from 'node:path';
import type { Command } from 'commander';
import { loadConfig, noConfigMessage, requireRunKeys, sourceName } from '../../config/load.js';
import { commandName, configOption, printJson } from '../options.js';
import { BadRequestError, ConfigError, type Issue, MappingError, formatIssue } from '../../domain/errors.js';
import type { DirectorySnapshot } from '../../domain/identity.js';
import { lintMapping } from '../../mapping/lint.js';
import { loadMappingDir } from '../../mapping/load-mapping-dir.js';
import type { MappingParseResult } from '../../mapping/parse-mapping.js';
import { SourceReadError } from '../../ports/identity-source.js';
import { readAllSources } from '../../services/read-sources.js';
import { createFileSource } from '../../sources/file/read-file-directory.js';
import type { Runtime } from '../../main.js';
import { withRuntime } from '../context.js';
import { EXIT } from '../errors.js';

interface ValidateOptions {
  mappings?: string;
  directory?: string;
  json?: boolean;
}

export function registerValidate(program: Command): void {
  program
    .command('validate')
    .description('check the mapping files and report every problem at once (exit 2 on errors)')
    .option('--mappings <dir>', 'mappings folder (default: the config\'s "mappings")')
    .option('--directory <file>', 'also lint against a directory snapshot (file source JSON)')
    .option('--json', 'print JSON')
    .action(async (opts: ValidateOptions, command: Command) => {
      const dir = mappingsDir(command, opts.mappings);
      let result: MappingParseResult;
      try {
        result = await loadMappingDir(dir);
      } catch (err) {
        if (!(err instanceof MappingError)) throw err;
        if (opts.json) printJson({ ok: false, errors: err.issues, warnings: [] });
        else printReport(err.issues, []);
        process.exitCode = EXIT.badInput;
        return;
      }
      const { mapping } = result;
      const warnings = [...result.warnings];
      if (opts.directory) warnings.push(...lintMapping(mapping, await readDirectoryFile(opts.directory)));
      const counts = { projects: mapping.projects.length, rules: mapping.rules.length };
      if (opts.json) {
        printJson({ ok: true, version: mapping.version, files: mapping.files, ...counts, errors: [], warnings });
        return;
      }
      printReport([], warnings);
      process.stdout.write(
        `ok: ${mapping.files.length} file(s), ${counts.projects} project(s), ${counts.rules} rule(s); mapping version ${mapping.version}\n`,
      );
    });
}

function printReport(errors: Issue[], warnings: Issue[]): void {
  for (const e of errors) process.stdout.write(`${formatIssue(e)}\n`);
  for (const w of warnings) process.stdout.write(`${formatWarning(w)}\n`);
  if (errors.length) {
    const files = new Set(errors.map((e) => e.file)).size;
    process.stdout.write(`${errors.length} error(s) in ${files} file(s); nothing was loaded\n`);
  }
  if (warnings.length) process.stdout.write(`${warnings.length} warning(s)\n`);
}

export const formatWarning = (w: Issue): string =>
  `${w.file}:${w.line} ${w.path ? `${w.path}: ` : ''}warning: ${w.message}`;

/**
 * `--mappings`, else the config's `mappings` (relative to the config file's folder); with no config file at all,
 * ./mappings: these commands only read, so they may look at a folder nobody configured.
 */
export function mappingsDir(command: Command, explicit: string | undefined): string {
  if (explicit) return explicit;
  const file = configOption(command);
  const loaded = loadConfig(file ? { file } : {});
  if (!loaded.file) return path.resolve(loaded.baseDir, 'mappings');
  const config = requireRunKeys(loaded, commandName(command), ['mappings']);
  return path.resolve(loaded.baseDir, config.mappings);
}

/** The mapping, its warnings going to stderr so that stdout stays the command's output. */
export async function loadMappingQuietly(command: Command, explicit: string | undefined) {
  const result = await loadMappingDir(mappingsDir(command, explicit));
  for (const w of result.warnings) process.stderr.write(`${formatWarning(w)}\n`);
  return result.mapping;
}

/**
 * A directory snapshot from `--directory`, else from the config's sources: only its file sources when it has
 * nothing else (no secret, no store), else every source as a sync reads them (SCIM from the store, Okta and
 * Entra over the network, with the secrets they name).
 */
export async function readDirectoryForCli(
  command: Command,
  explicit: string | undefined,
  /** the command's runtime when it opens one anyway (explain): the sources are read through it */
  runtime?: () => Promise<Runtime>,
): Promise<DirectorySnapshot> {
  if (explicit) return readDirectoryFile(explicit);
  const file = configOption(command);
  const loaded = loadConfig(file ? { file } : {});
  const { baseDir } = loaded;
  if (!loaded.file) {
    throw new ConfigError([
      `${noConfigMessage(commandName(command))}; or give --directory <file.json> (file source JSON)`,
    ]);
  }
  const config = requireRunKeys(loaded, commandName(command), ['sources']);
  if (config.sources.some((s) => s.type !== 'file')) {
    return runtime
      ? readAllSources((await runtime()).sources)
      : withRuntime(command, (rt) => readAllSources(rt.sources));
  }
  const sources = config.sources.flatMap((s) =>
    s.type === 'file' ? [createFileSource({ name: sourceName(s), path: path.resolve(baseDir, s.path) })] : [],
  );
  return readAllSources(sources);
}

async function readDirectoryFile(file: string): Promise<DirectorySnapshot> {
  try {
    return await readAllSources([createFileSource({ path: file })]);
  } catch (err) {
    // a file named on the command line is the user's input: bad input, not a failure of ours
    if (err instanceof SourceReadError) throw new BadRequestError(err.message);
    throw err;
  }
}
