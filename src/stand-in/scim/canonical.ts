import { badRequest } from './errors.js';
import { isObject, type Json, type JsonObject } from './json.js';
import { findAttr, findSchema, type AttrDef, type ResourceSchemas } from './schema-defs.js';

/**
 * Turns a client's resource body into its canonical form: attribute names spelled as the schema spells them
 * (clients send `Primary`, `Department`), string booleans read as booleans (Entra sends `"active": "False"`),
 * unknown and read-only attributes dropped, a type mismatch reported as 400 invalidValue.
 * Core attributes land at the top level, extension attributes under their schema URN.
 */
export function canonicalize(body: JsonObject, schemas: ResourceSchemas): JsonObject {
  const out: JsonObject = {};
  for (const [key, raw] of Object.entries(body)) {
    const extension = /^urn:/i.test(key) ? findSchema(schemas, key) : undefined;
    if (extension && extension.id !== schemas.core.id) {
      if (raw === null) continue;
      if (!isObject(raw)) throw badRequest('invalidValue', `"${extension.id}" must be an object`);
      const inner = canonicalObject(raw, extension.attributes, extension.id);
      if (Object.keys(inner).length) out[extension.id] = inner;
      continue;
    }
    const def = findAttr(schemas.core.attributes, key);
    if (!def || def.mutability === 'readOnly') continue;
    const value = canonicalValue(raw, def, def.name);
    if (value !== undefined) out[def.name] = value;
  }
  return out;
}

function canonicalObject(raw: JsonObject, defs: readonly AttrDef[], where: string): JsonObject {
  const out: JsonObject = {};
  for (const [key, value] of Object.entries(raw)) {
    const def = findAttr(defs, key);
    if (!def || def.mutability === 'readOnly') continue;
    const v = canonicalValue(value, def, `${where}.${def.name}`);
    if (v !== undefined) out[def.name] = v;
  }
  return out;
}

/** `undefined` means "unassigned" (null, empty array, empty complex value). */
function canonicalValue(raw: Json | undefined, def: AttrDef, where: string): Json | undefined {
  if (raw === null || raw === undefined) return undefined;
  if (def.multiValued) {
    const items = Array.isArray(raw) ? raw : [raw];
    const out = items.map((item) => canonicalSingle(item, def, where)).filter((v): v is Json => v !== undefined);
    return out.length ? out : undefined;
  }
  if (Array.isArray(raw)) throw badRequest('invalidValue', `"${where}" is single-valued`);
  return canonicalSingle(raw, def, where);
}

function canonicalSingle(raw: Json, def: AttrDef, where: string): Json | undefined {
  if (raw === null) return undefined;
  switch (def.type) {
    case 'complex': {
      if (!isObject(raw)) throw badRequest('invalidValue', `"${where}" must be a complex value (an object)`);
      const out = canonicalObject(raw, def.subAttributes ?? [], where);
      return Object.keys(out).length ? out : undefined;
    }
    case 'boolean':
      if (typeof raw === 'boolean') return raw;
      if (typeof raw === 'string' && /^(true|false)$/i.test(raw)) return raw.toLowerCase() === 'true';
      throw badRequest('invalidValue', `"${where}" must be a boolean`);
    case 'integer':
      if (typeof raw === 'number' && Number.isInteger(raw)) return raw;
      throw badRequest('invalidValue', `"${where}" must be an integer`);
    case 'dateTime':
      if (typeof raw === 'string' && !Number.isNaN(Date.parse(raw))) return raw;
      throw badRequest('invalidValue', `"${where}" must be a dateTime`);
    default:
      if (typeof raw === 'string') return raw;
      if (typeof raw === 'number') return String(raw);
      throw badRequest('invalidValue', `"${where}" must be a string`);
  }
}
