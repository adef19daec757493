import { createHash } from 'node:crypto';
import { type Issue, MappingError } from '../domain/errors.js';
import type { MappingSet } from '../domain/mapping.js';
import { checkRules } from './check-rules.js';
import { IssueSink } from './issue-sink.js';
import { mergeModel, mergePolicy, mergeProjects, mergeTeams } from './merge-declarations.js';
import { emptyDeclarations, readMappingFile } from './read-mapping-file.js';

export interface MappingFileText {
  /** the name issues are reported with (relative to the working directory when possible) */
  file: string;
  text: string;
}

export interface MappingParseResult {
  mapping: MappingSet;
  /** problems that do not stop loading */
  warnings: Issue[];
}

/**
 * Parses, validates and merges mapping files (in file-name order). Throws MappingError with every problem of
 * every file at once: nothing half-loads.
 */
export function parseMappingFiles(files: readonly MappingFileText[]): MappingParseResult {
  const sorted = [...files].sort((a, b) => (a.file < b.file ? -1 : a.file > b.file ? 1 : 0));
  if (!sorted.length) {
    throw new MappingError([{ file: '(mappings)', line: 1, path: '', message: 'no mapping files', severity: 'error' }]);
  }
  const sink = new IssueSink();
  const decl = emptyDeclarations();
  sorted.forEach((f, order) => readMappingFile(f.file, f.text, order, sink, decl));
  const model = mergeModel(decl, sink);
  const policy = mergePolicy(decl, model, sink);
  const projects = mergeProjects(decl, sink);
  const teams = mergeTeams(decl, projects, sink);
  const rules = checkRules(decl.rules, { model, projects, policy, teams }, sink);
  const errors = sink.errors();
  // No rule at all maps nobody: every teammate would be deactivated. Only a mapping that says so may be empty.
  // (With other errors, their fixes come first: a rule with a mistake is not a missing rule.)
  if (!errors.length && !rules.length && !policy.allowEmpty) {
    errors.push({
      file: sorted[0]?.file ?? '',
      line: 1,
      path: 'rules',
      message:
        'the mapping set has no rules: every user would lose access; add rules, or set policy.allowEmpty: true ' +
        `if that is meant (files read: ${sorted.map((f) => f.file).join(', ')})`,
      severity: 'error',
    });
  }
  if (errors.length) throw new MappingError(errors);
  const warnings = sink.warnings();
  if (!rules.length) {
    warnings.push({
      file: sorted[0]?.file ?? '',
      line: 1,
      path: 'rules',
      message: 'no rules: nobody will be given access (policy.allowEmpty: true)',
      severity: 'warning',
    });
  }
  const files_ = sorted.map((f) => f.file);
  return {
    mapping: { version: mappingVersion(sorted), model, projects, policy, rules, teams, files: files_ },
    warnings,
  };
}

/**
 * sha256 over base names and contents, so the same files give the same version wherever they are read from
 * (the journal records it to tell which mapping a run used).
 */
export function mappingVersion(files: readonly MappingFileText[]): string {
  const hash = createHash('sha256');
  const named = files.map((f) => ({ name: baseName(f.file), text: f.text }));
  named.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  for (const f of named) hash.update(`${f.name}\0${f.text.length}\0${f.text}\0`);
  return hash.digest('hex').slice(0, 16);
}

const baseName = (file: string): string => file.slice(Math.max(file.lastIndexOf('/'), file.lastIndexOf('\\')) + 1);
