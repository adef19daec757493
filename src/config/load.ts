import fs from 'node:fs';
import path from 'node:path';
import { LineCounter, parseDocument } from 'yaml';
import type { z } from 'zod';
import { Cron } from 'croner';
import { ConfigError } from '../domain/errors.js';
import { formatPath, lineOf, type PathSegment } from '../mapping/yaml-locate.js';
import { translateZodIssues, type PathMessage } from '../mapping/zod-issues.js';
import { type Config, configSchema, RUN_KEYS, type RunConfig, type RunKey } from './schema.js';

export interface LoadedConfig {
  config: Config;
  /** the file read, or null when there is none (then only demo, validate, docs and the offline plan run) */
  file: string | null;
  /** directory that relative paths in the config are resolved against */
  baseDir: string;
}

/** Finds the config: --config, then HEAP_ACCESS_SYNC_CONFIG, then ./heap-access-sync.yaml, else none. */
export function findConfigFile(explicit: string | undefined, env: NodeJS.ProcessEnv, cwd: string): string | null {
  const named = explicit ?? env.HEAP_ACCESS_SYNC_CONFIG;
  if (named) return path.resolve(cwd, named);
  const fallback = path.resolve(cwd, 'heap-access-sync.yaml');
  return fs.existsSync(fallback) ? fallback : null;
}

/**
 * Parses and validates the config, reporting every problem at once as `file:line path: message` (ConfigError).
 * Without a file, the result has only the defaults of the keys that have one (store, server, schedule, alerts):
 * never example sources, mappings or target.
 */
export function loadConfig(options: { file?: string; env?: NodeJS.ProcessEnv; cwd?: string } = {}): LoadedConfig {
  const env = options.env ?? process.env;
  const cwd = options.cwd ?? process.cwd();
  const file = findConfigFile(options.file, env, cwd);
  if (!file) return { config: configSchema.parse({}), file: null, baseDir: cwd };
  let text: string;
  try {
    text = fs.readFileSync(file, 'utf8');
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    throw new ConfigError([`${file}: cannot read the config file (${code ?? (err as Error).message})`]);
  }
  const lineCounter = new LineCounter();
  const doc = parseDocument(text, { lineCounter, prettyErrors: true });
  if (doc.errors.length) {
    throw new ConfigError(
      doc.errors.map((e) => {
        const line = e.linePos?.[0]?.line ?? lineCounter.linePos(e.pos[0]).line;
        return `${file}:${Math.max(1, line)} malformed YAML: ${e.message.split('\n')[0]?.replace(/ at line \d+, column \d+:?$/, '')}`;
      }),
    );
  }
  const raw: unknown = doc.toJS() ?? {};
  const at = (p: PathMessage) => `${file}:${lineOf(doc, lineCounter, p.path)} ${formatPath(p.path)}: ${p.message}`;
  if (typeof raw !== 'object' || Array.isArray(raw)) {
    throw new ConfigError([`${file}:1 the config must be a map of keys (mappings, store, sources, target, …)`]);
  }
  const parsed = configSchema.safeParse(raw);
  if (!parsed.success) throw new ConfigError(describeIssues(parsed.error, raw).map(at));
  const problems = checkConfig(parsed.data);
  if (problems.length) throw new ConfigError(problems.map(at));
  return { config: parsed.data, file, baseDir: path.dirname(file) };
}

/**
 * The keys a command needs (DESIGN §10): without a config file, how to start the demo or name one; with one,
 * every missing key at once.
 */
export function requireRunKeys(loaded: LoadedConfig, command: string, keys: readonly RunKey[] = RUN_KEYS): RunConfig {
  if (!loaded.file) throw new ConfigError([noConfigMessage(command)]);
  const missing = keys.filter((k) => loaded.config[k] === undefined);
  if (missing.length) {
    throw new ConfigError(
      missing.map((k) => `${loaded.file}:1 ${k}: missing required key "${k}" (\`${command}\` needs it)`),
    );
  }
  return loaded.config as RunConfig;
}

/** A config file is needed, even when the command needs none of the run keys (journal, exceptions). */
export function requireConfigFile(loaded: LoadedConfig, command: string): string {
  if (!loaded.file) throw new ConfigError([noConfigMessage(command)]);
  return loaded.file;
}

export const noConfigMessage = (command: string): string =>
  `no config file: \`${command}\` needs one. To try the product on example data, start the demo with ` +
  '`npm start` (or `heap-access-sync demo`) and `source data/demo.env` in another terminal; otherwise pass ' +
  '--config <file>, set HEAP_ACCESS_SYNC_CONFIG, or create ./heap-access-sync.yaml';

const TOP_KEYS = Object.keys(configSchema.shape);

/** zod's issues in the words of the mapping loader; a wrong `type` of a source, alert or target lists the types. */
function describeIssues(error: z.ZodError, raw: unknown): PathMessage[] {
  const out: PathMessage[] = [];
  const rest: z.core.$ZodIssue[] = [];
  for (const issue of error.issues) {
    // a discriminated union names the allowed discriminator values ("No matching discriminator")
    const allowed = (issue as { options?: unknown }).options;
    if (issue.code === 'invalid_union' && Array.isArray(allowed)) {
      const path = issue.path.filter((p): p is PathSegment => typeof p !== 'symbol');
      out.push({ path, message: `must be one of ${allowed.map((o) => `"${String(o)}"`).join(', ')}` });
    } else rest.push(issue);
  }
  if (rest.length) out.push(...translateZodIssues({ issues: rest } as z.ZodError, [], raw, TOP_KEYS));
  return out;
}

const SCIM_SOURCE_NAME = /^[A-Za-z0-9][A-Za-z0-9_-]{0,63}$/;

/** Cross-field checks zod cannot express on one field. */
function checkConfig(config: Config): PathMessage[] {
  const problems: PathMessage[] = [];
  const names = new Set<string>();
  (config.sources ?? []).forEach((s, i) => {
    const name = s.name ?? s.type;
    if (names.has(name)) {
      problems.push({ path: ['sources', i], message: `duplicate source name "${name}" (give each source a name)` });
    }
    names.add(name);
    if (s.type === 'okta' && !s.tokenEnv && !(s.clientId && s.privateKeyEnv)) {
      problems.push({ path: ['sources', i], message: 'okta needs tokenEnv, or clientId with privateKeyEnv' });
    }
    if (s.type === 'entra' && !s.clientSecretEnv && !s.certificatePathEnv) {
      problems.push({ path: ['sources', i], message: 'entra needs clientSecretEnv or certificatePathEnv' });
    }
  });
  // Several scim sources (Okta and Entra both pushing): the token an IdP presents says which source it is.
  const scimTokens = new Map<string, string>();
  const scimSources = (config.sources ?? []).filter((s) => s.type === 'scim').length;
  (config.sources ?? []).forEach((s, i) => {
    if (s.type !== 'scim') return;
    const name = s.name ?? s.type;
    const other = scimTokens.get(s.tokenEnv);
    if (other !== undefined) {
      problems.push({
        path: ['sources', i, 'tokenEnv'],
        message: `${s.tokenEnv} is already the token of scim source "${other}": each scim source needs its own`,
      });
    }
    scimTokens.set(s.tokenEnv, name);
    if (scimSources > 1 && !SCIM_SOURCE_NAME.test(name)) {
      problems.push({
        path: ['sources', i, 'name'],
        message: 'with several scim sources, each name must be letters, digits, - and _ (it names its SCIM store file)',
      });
    }
  });
  const oidc = config.server.oidc;
  if (oidc) {
    if (!oidc.scopes.includes('openid')) {
      problems.push({ path: ['server', 'oidc', 'scopes'], message: 'must include "openid"' });
    }
    if (!oidc.adminGroups.length && !oidc.approverGroups.length && !oidc.viewerGroups.length) {
      problems.push({
        path: ['server', 'oidc'],
        message: 'name at least one of adminGroups, approverGroups, viewerGroups: nobody could sign in',
      });
    }
  }
  if (config.schedule) {
    try {
      new Cron(config.schedule, { paused: true }).stop();
    } catch (err) {
      problems.push({ path: ['schedule'], message: (err as Error).message });
    }
  }
  return problems;
}

/** Secrets named by `*Env` keys; every missing one is reported at once. */
export function requireEnv(env: NodeJS.ProcessEnv, names: { key: string; variable: string }[]): Record<string, string> {
  const out: Record<string, string> = {};
  const missing: string[] = [];
  for (const { key, variable } of names) {
    const value = env[variable];
    if (value) out[variable] = value;
    else missing.push(`${key}: environment variable ${variable} is not set`);
  }
  if (missing.length) throw new ConfigError(missing);
  return out;
}

export const sourceName = (s: { name?: string | undefined; type: string }): string => s.name ?? s.type;
