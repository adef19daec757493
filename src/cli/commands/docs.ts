import fs from 'node:fs/promises';
import { type Command, Option } from 'commander';
import { loadConfig } from '../../config/load.js';
import type { KindEnforcement } from '../../domain/entitlement.js';
import { DOCS_FORMATS, type DocsFormat, renderDocs } from '../../mapping/docs/render-docs.js';
import { enforcementOf } from '../../ports/access-target.js';
import { profileCapabilities, SCIM_PROFILES, type ScimProfile } from '../../targets/scim/profile.js';
import { configOption } from '../options.js';
import { loadMappingQuietly, readDirectoryForCli } from './validate.js';

interface DocsCliOptions {
  format: DocsFormat;
  out?: string;
  withMembers?: boolean;
  directory?: string;
  mappings?: string;
  json?: boolean;
  profile?: ScimProfile;
}

/** `--profile`, else the config's target profile; with neither, the docs carry no enforcement labels. */
function enforcementFor(command: Command, explicit: ScimProfile | undefined): KindEnforcement | undefined {
  let profile = explicit;
  if (!profile) {
    const file = configOption(command);
    const loaded = loadConfig(file ? { file } : {});
    profile = loaded.file ? loaded.config.target?.profile : undefined;
  }
  return profile
    ? enforcementOf({ assetOwnership: false, lastActivity: false, entitlements: profileCapabilities(profile) })
    : undefined;
}

export function registerDocs(program: Command): void {
  program
    .command('docs')
    .description('export the mapping as documentation for auditors (with --with-members: the access review)')
    .addOption(new Option('--format <format>', 'output format').choices([...DOCS_FORMATS]).default('md'))
    .addOption(new Option('--json', 'print JSON (the same as --format json)').conflicts('format'))
    .option('--out <file>', 'write to a file instead of stdout')
    .option('--with-members', "include every user's effective access and its reasons")
    .option('--directory <file>', "directory snapshot for --with-members (default: the config's file sources)")
    .option('--mappings <dir>', 'mappings folder (default: the config\'s "mappings")')
    .addOption(
      new Option(
        '--profile <profile>',
        "label what the sync enforces with this Heap profile (default: the config's)",
      ).choices([...SCIM_PROFILES]),
    )
    .action(async (opts: DocsCliOptions, command: Command) => {
      const mapping = await loadMappingQuietly(command, opts.mappings);
      const snapshot = opts.withMembers ? await readDirectoryForCli(command, opts.directory) : undefined;
      const format: DocsFormat = opts.json ? 'json' : opts.format;
      const enforcement = enforcementFor(command, opts.profile);
      const text = renderDocs(mapping, format, {
        generatedAt: new Date().toISOString(),
        ...(enforcement && { enforcement }),
        ...(snapshot && { snapshot, withMembers: true }),
      });
      if (opts.out) {
        await fs.writeFile(opts.out, text);
        process.stdout.write(`wrote ${opts.out} (${format}, mapping version ${mapping.version})\n`);
      } else process.stdout.write(text);
    });
}
