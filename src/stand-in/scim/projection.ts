import { badRequest } from './errors.js';
import { getKey, isObject, type Json, type JsonObject } from './json.js';
import { parseAttrPath, type AttrPath } from './path.js';
import type { ResourceSchemas } from './schema-defs.js';

export interface Projection {
  mode: 'include' | 'exclude';
  paths: AttrPath[];
}

/** Always returned, whatever `attributes` or `excludedAttributes` say (RFC 7643 §7 "returned: always"). */
const ALWAYS = new Set(['id', 'schemas']);

/**
 * Reads `attributes` / `excludedAttributes` (RFC 7644 §3.9). A value filter in a name (`emails[type eq "work"]`,
 * which Microsoft's tests send) selects the whole attribute.
 */
export function parseProjection(
  attributes: string | undefined,
  excluded: string | undefined,
  schemas: ResourceSchemas,
): Projection | null {
  const text = attributes ?? excluded;
  if (text === undefined || !text.trim()) return null;
  const paths = text
    .split(',')
    .map((p) => p.replace(/\[.*$/, '').trim())
    .filter(Boolean)
    .map((p) => parseAttrPath(p, schemas, 'invalidValue'));
  if (!paths.length) throw badRequest('invalidValue', 'no attribute names given');
  return { mode: attributes !== undefined ? 'include' : 'exclude', paths };
}

export function project(resource: JsonObject, projection: Projection | null): JsonObject {
  if (!projection) return resource;
  return projection.mode === 'include' ? include(resource, projection.paths) : exclude(resource, projection.paths);
}

const same = (a: string, b: string) => a.toLowerCase() === b.toLowerCase();

function include(resource: JsonObject, paths: AttrPath[]): JsonObject {
  const out: JsonObject = {};
  for (const [key, value] of Object.entries(resource)) {
    if (ALWAYS.has(key)) {
      out[key] = value;
      continue;
    }
    const isExtension = key.startsWith('urn:');
    const wanted = paths.filter((p) =>
      isExtension ? p.schema !== undefined && same(p.schema, key) : !p.schema && same(p.attr, key),
    );
    if (!wanted.length) continue;
    if (!isExtension) {
      const picked = pickSubs(value, wanted);
      if (picked !== undefined) out[key] = picked;
      continue;
    }
    if (wanted.some((p) => !p.attr) || !isObject(value)) {
      out[key] = value;
      continue;
    }
    const inner = include(
      value,
      wanted.map((p) => ({ attr: p.attr, ...(p.sub && { sub: p.sub }) })),
    );
    if (Object.keys(inner).length) out[key] = inner;
  }
  return out;
}

/** The attribute, or only the sub-attributes asked for (of each element, for a multi-valued attribute). */
function pickSubs(value: Json, wanted: AttrPath[]): Json | undefined {
  if (wanted.some((p) => !p.sub)) return value;
  const subs = wanted.map((p) => p.sub ?? '');
  const pick = (item: Json): Json | undefined => {
    if (!isObject(item)) return undefined;
    const obj: JsonObject = {};
    for (const s of subs) {
      const k = getKey(item, s);
      if (k !== undefined) obj[k] = item[k] ?? null;
    }
    return Object.keys(obj).length ? obj : undefined;
  };
  if (Array.isArray(value)) {
    const items = value.map(pick).filter((v): v is Json => v !== undefined);
    return items.length ? items : undefined;
  }
  return pick(value);
}

function exclude(resource: JsonObject, paths: AttrPath[]): JsonObject {
  const out: JsonObject = structuredClone(resource);
  for (const p of paths) {
    const container = p.schema ? out[getKey(out, p.schema) ?? ''] : out;
    if (p.schema && !p.attr) {
      delete out[getKey(out, p.schema) ?? ''];
      continue;
    }
    if (!isObject(container)) continue;
    const key = getKey(container, p.attr);
    if (key === undefined || (!p.schema && ALWAYS.has(key))) continue;
    if (!p.sub) {
      delete container[key];
      continue;
    }
    const sub = p.sub;
    const value = container[key];
    const items = Array.isArray(value) ? value : [value];
    for (const item of items) if (isObject(item)) delete item[getKey(item, sub) ?? sub];
  }
  return out;
}
