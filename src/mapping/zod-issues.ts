import type { z } from 'zod';
import { didYouMean, quoteList } from './suggest.js';
import type { PathSegment } from './yaml-locate.js';

export interface PathMessage {
  path: PathSegment[];
  message: string;
}

/**
 * zod's issues in the words of a mapping author: unknown keys one by one with a suggestion, missing keys named,
 * wrong enum values with the allowed ones. `input` is the value that was validated, to tell "missing" from "wrong".
 */
export function translateZodIssues(
  error: z.ZodError,
  base: readonly PathSegment[],
  input: unknown,
  knownKeys: readonly string[],
): PathMessage[] {
  const out: PathMessage[] = [];
  for (const issue of error.issues) {
    const rel = issue.path.filter((p): p is PathSegment => typeof p !== 'symbol');
    const path = [...base, ...rel];
    const value = valueAt(input, rel);
    if (issue.code === 'unrecognized_keys') {
      const keys = rel.length === 0 ? knownKeys : [];
      for (const key of issue.keys) {
        out.push({ path: [...path, key], message: `unknown key "${key}"${didYouMean(key, keys)}` });
      }
      continue;
    }
    const last = rel[rel.length - 1];
    if (value === undefined && typeof last === 'string') {
      out.push({ path, message: `missing required key "${last}"` });
      continue;
    }
    if (issue.code === 'invalid_value' && issue.values.length > 1) {
      const allowed = issue.values.map(String);
      const text = typeof value === 'string' ? `"${value}"` : JSON.stringify(value);
      const hint = typeof value === 'string' ? didYouMean(value, allowed) : '';
      out.push({ path, message: `${text} is not one of ${quoteList(allowed)}${hint}` });
      continue;
    }
    if (issue.code === 'invalid_type') {
      out.push({ path, message: `expected ${issue.expected}, got ${describe(value)}` });
      continue;
    }
    out.push({ path, message: issue.message });
  }
  return out;
}

function valueAt(input: unknown, path: readonly PathSegment[]): unknown {
  let v = input;
  for (const seg of path) {
    if (v === null || typeof v !== 'object') return undefined;
    v = (v as Record<PathSegment, unknown>)[seg];
  }
  return v;
}

function describe(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'a list';
  if (typeof value === 'object') return 'a map';
  if (typeof value === 'string') return `"${value}"`;
  return `${typeof value} ${String(value)}`;
}
