import { LineCounter, parseDocument } from 'yaml';
import type { z } from 'zod';
import {
  API_VERSION,
  fileSchema,
  guardsSchema,
  KNOWN_KEYS,
  modelSchema,
  policySchema,
  projectSchema,
  ruleSchema,
  teamSchema,
  type RawGuards,
  type RawModel,
  type RawPolicy,
  type RawProject,
  type RawRule,
  type RawTeam,
} from './schema.js';
import type { IssueSink, SourceFile } from './issue-sink.js';
import { translateZodIssues } from './zod-issues.js';
import type { PathSegment } from './yaml-locate.js';

/** A section as declared, with the file and path it came from. */
export interface Declared<T> {
  value: T;
  src: SourceFile;
  path: PathSegment[];
}

/** Everything the files declare, before merging. */
export interface Declarations {
  model: Declared<RawModel> | null;
  policy: Declared<RawPolicy> | null;
  guards: Declared<RawGuards> | null;
  projects: Declared<RawProject>[];
  rules: Declared<RawRule>[];
  teams: Declared<RawTeam>[];
  /** where model and policy were first declared, valid or not, to report a second declaration */
  declaredAt: Partial<Record<'model' | 'policy', { src: SourceFile; path: PathSegment[] }>>;
}

export const emptyDeclarations = (): Declarations => ({
  model: null,
  policy: null,
  guards: null,
  projects: [],
  rules: [],
  teams: [],
  declaredAt: {},
});

/** Parses one file and adds its well-formed sections to `decl`; every problem goes to `sink`. */
export function readMappingFile(file: string, text: string, order: number, sink: IssueSink, decl: Declarations): void {
  const lineCounter = new LineCounter();
  const doc = parseDocument(text, { lineCounter, prettyErrors: true });
  if (doc.errors.length) {
    for (const e of doc.errors) {
      const line = e.linePos?.[0]?.line ?? lineCounter.linePos(e.pos[0]).line;
      const message = `malformed YAML: ${e.message.split('\n')[0]?.replace(/ at line \d+, column \d+:?$/, '')}`;
      sink.raw({ file, line: Math.max(1, line), path: '', message, severity: 'error' }, order);
    }
    return;
  }
  const src: SourceFile = { file, order, doc, lineCounter };
  const raw: unknown = doc.toJS();
  if (raw === null || raw === undefined) {
    sink.error(src, [], `empty file: expected apiVersion: ${API_VERSION}`);
    return;
  }
  if (typeof raw !== 'object' || Array.isArray(raw)) {
    sink.error(src, [], `expected a map with apiVersion, model, projects, policy, teams and rules`);
    return;
  }
  checkApiVersion(src, (raw as Record<string, unknown>).apiVersion, sink);
  const top = fileSchema.safeParse(raw);
  if (!top.success) report(sink, src, translateZodIssues(top.error, [], raw, KNOWN_KEYS.file));
  const doc0 = raw as Record<string, unknown>;
  if (doc0.model !== undefined) {
    decl.model = declareOnce(src, 'model', doc0.model, decl, modelSchema, KNOWN_KEYS.model, sink) ?? decl.model;
  }
  if (doc0.policy !== undefined) readPolicy(src, doc0.policy, sink, decl);
  eachItem(doc0.projects, (item, i) => {
    const parsed = validate(src, ['projects', i], item, projectSchema, KNOWN_KEYS.project, sink);
    if (parsed) decl.projects.push({ value: parsed, src, path: ['projects', i] });
  });
  eachItem(doc0.teams, (item, i) => {
    const parsed = validate(src, ['teams', i], item, teamSchema, KNOWN_KEYS.team, sink);
    if (parsed) decl.teams.push({ value: parsed, src, path: ['teams', i] });
  });
  eachItem(doc0.rules, (item, i) => {
    const parsed = validate(src, ['rules', i], item, ruleSchema, KNOWN_KEYS.rule, sink);
    if (parsed) decl.rules.push({ value: parsed, src, path: ['rules', i] });
  });
}

function checkApiVersion(src: SourceFile, value: unknown, sink: IssueSink): void {
  if (value === undefined) sink.error(src, [], `missing apiVersion (expected "${API_VERSION}")`);
  else if (value !== API_VERSION) {
    sink.error(src, ['apiVersion'], `unsupported apiVersion ${JSON.stringify(value)} (expected "${API_VERSION}")`);
  }
}

function readPolicy(src: SourceFile, value: unknown, sink: IssueSink, decl: Declarations): void {
  const policy = declareOnce(src, 'policy', value, decl, policySchema, KNOWN_KEYS.policy, sink);
  if (!policy) return;
  decl.policy = policy;
  const guards = (value as { guards?: unknown }).guards;
  if (guards === undefined) return;
  const parsed = validate(src, ['policy', 'guards'], guards, guardsSchema, KNOWN_KEYS.guards, sink);
  if (parsed) decl.guards = { value: parsed, src, path: ['policy', 'guards'] };
}

/** Model and policy are declared by at most one file: two declarations would have to be merged by guesswork. */
function declareOnce<T>(
  src: SourceFile,
  key: 'model' | 'policy',
  value: unknown,
  decl: Declarations,
  schema: z.ZodType<T>,
  known: readonly string[],
  sink: IssueSink,
): Declared<T> | null {
  const prev = decl.declaredAt[key];
  if (prev) {
    const where = `${prev.src.file}:${sink.line(prev.src, prev.path)}`;
    sink.error(src, [key], `${key} is already declared in ${where}; declare it in one file only`);
    return null;
  }
  decl.declaredAt[key] = { src, path: [key] };
  const parsed = validate(src, [key], value, schema, known, sink);
  return parsed ? { value: parsed, src, path: [key] } : null;
}

function validate<T>(
  src: SourceFile,
  path: PathSegment[],
  value: unknown,
  schema: z.ZodType<T>,
  known: readonly string[],
  sink: IssueSink,
): T | null {
  const parsed = schema.safeParse(value);
  if (parsed.success) return parsed.data;
  report(sink, src, translateZodIssues(parsed.error, path, value, known));
  return null;
}

function report(sink: IssueSink, src: SourceFile, issues: { path: PathSegment[]; message: string }[]): void {
  for (const i of issues) sink.error(src, i.path, i.message);
}

function eachItem(list: unknown, fn: (item: unknown, index: number) => void): void {
  if (Array.isArray(list)) list.forEach(fn);
}
