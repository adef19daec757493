import fs from 'node:fs';
import path from 'node:path';
import { parseDocument } from 'yaml';
import { Cron } from 'croner';
import { ConfigError } from '../domain/errors.js';
import { type Config, configSchema } from './schema.js';

export interface LoadedConfig {
  config: Config;
  /** the file read, or null for the embedded defaults */
  file: string | null;
  /** directory that relative paths in the config are resolved against */
  baseDir: string;
}

/** Finds the config: --config, then HEAP_ACCESS_SYNC_CONFIG, then ./heap-access-sync.yaml, else the embedded defaults. */
export function findConfigFile(explicit: string | undefined, env: NodeJS.ProcessEnv, cwd: string): string | null {
  const named = explicit ?? env.HEAP_ACCESS_SYNC_CONFIG;
  if (named) return path.resolve(cwd, named);
  const fallback = path.resolve(cwd, 'heap-access-sync.yaml');
  return fs.existsSync(fallback) ? fallback : null;
}

/** Parses and validates the config, reporting every problem at once (ConfigError). */
export function loadConfig(options: { file?: string; env?: NodeJS.ProcessEnv; cwd?: string } = {}): LoadedConfig {
  const env = options.env ?? process.env;
  const cwd = options.cwd ?? process.cwd();
  const file = findConfigFile(options.file, env, cwd);
  let raw: unknown = {};
  if (file) {
    let text: string;
    try {
      text = fs.readFileSync(file, 'utf8');
    } catch (err) {
      throw new ConfigError([`${file}: cannot read: ${(err as Error).message}`]);
    }
    const doc = parseDocument(text);
    if (doc.errors.length) {
      throw new ConfigError(doc.errors.map((e) => `${file}:${e.linePos?.[0]?.line ?? 1} ${e.message.split('\n')[0]}`));
    }
    raw = doc.toJS() ?? {};
  }
  const parsed = configSchema.safeParse(raw);
  const where = file ?? 'embedded defaults';
  if (!parsed.success) {
    throw new ConfigError(
      parsed.error.issues.map((i) => `${where}: ${i.path.length ? `${i.path.join('.')}: ` : ''}${i.message}`),
    );
  }
  const problems = checkConfig(parsed.data);
  if (problems.length) throw new ConfigError(problems.map((p) => `${where}: ${p}`));
  return { config: parsed.data, file, baseDir: file ? path.dirname(file) : cwd };
}

/** Cross-field checks zod cannot express on one field. */
function checkConfig(config: Config): string[] {
  const problems: string[] = [];
  const names = new Set<string>();
  config.sources.forEach((s, i) => {
    const name = s.name ?? s.type;
    if (names.has(name)) problems.push(`sources.${i}.name: duplicate source name "${name}" (give each source a name)`);
    names.add(name);
    if (s.type === 'okta' && !s.tokenEnv && !(s.clientId && s.privateKeyEnv)) {
      problems.push(`sources.${i}: okta needs tokenEnv, or clientId with privateKeyEnv`);
    }
    if (s.type === 'entra' && !s.clientSecretEnv && !s.certificatePathEnv) {
      problems.push(`sources.${i}: entra needs clientSecretEnv or certificatePathEnv`);
    }
  });
  if (config.sources.filter((s) => s.type === 'scim').length > 1) problems.push('sources: at most one scim source');
  if (config.schedule) {
    try {
      new Cron(config.schedule, { paused: true }).stop();
    } catch (err) {
      problems.push(`schedule: ${(err as Error).message}`);
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
