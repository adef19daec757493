import { badRequest, ScimError } from './errors.js';
import { getKey, isObject, matchesFilter, parseFilter, type Filter, type Json, type JsonObject } from './filter.js';
import { parseAttrPath, type AttrPath } from './path.js';
import { findAttr, findSchema, type AttrDef, type ResourceSchemas } from './schema-defs.js';

export interface PatchOperation {
  op: 'add' | 'replace' | 'remove';
  path?: PatchPath;
  value?: Json;
}

/** `attr`, `attr.sub`, `attr[filter]` or `attr[filter].sub` (RFC 7644 §3.5.2). */
export interface PatchPath extends AttrPath {
  filter?: Filter;
}

const READ_ONLY = new Set(['id', 'meta', 'schemas']);

/** Reads a PatchOp body; op names are case-insensitive (Entra sends `Add`, `Replace`, `Remove`). */
export function parsePatchBody(body: unknown, schemas: ResourceSchemas): PatchOperation[] {
  if (!isObject(body)) throw badRequest('invalidSyntax', 'a PATCH body must be a PatchOp object');
  const key = getKey(body, 'Operations');
  const ops = key === undefined ? undefined : body[key];
  if (!Array.isArray(ops) || !ops.length) throw badRequest('invalidSyntax', '"Operations" must be a non-empty array');
  return ops.map((raw, i) => {
    if (!isObject(raw)) throw badRequest('invalidSyntax', `Operations[${i}] must be an object`);
    const opKey = getKey(raw, 'op');
    const opName = opKey === undefined ? undefined : raw[opKey];
    const op = typeof opName === 'string' ? opName.toLowerCase() : '';
    if (op !== 'add' && op !== 'replace' && op !== 'remove') {
      throw badRequest('invalidSyntax', `Operations[${i}].op must be add, replace or remove`);
    }
    const pathKey = getKey(raw, 'path');
    const pathText = pathKey === undefined ? undefined : raw[pathKey];
    if (pathText !== undefined && pathText !== null && typeof pathText !== 'string') {
      throw badRequest('invalidPath', `Operations[${i}].path must be a string`);
    }
    const valueKey = getKey(raw, 'value');
    const value = valueKey === undefined ? undefined : raw[valueKey];
    const path = pathText ? parsePatchPath(pathText, schemas) : undefined;
    if (op === 'remove' && !path) throw badRequest('noTarget', `Operations[${i}]: remove needs a path`);
    if (op !== 'remove' && value === undefined)
      throw badRequest('invalidSyntax', `Operations[${i}]: ${op} needs a value`);
    return { op, ...(path && { path }), ...(value !== undefined && { value }) };
  });
}

export function parsePatchPath(text: string, schemas: ResourceSchemas): PatchPath {
  const open = text.indexOf('[');
  if (open < 0) return parseAttrPath(text, schemas, 'invalidPath');
  const close = text.lastIndexOf(']');
  if (close < open) throw badRequest('invalidPath', `unbalanced brackets in path "${text}"`);
  const head = parseAttrPath(text.slice(0, open), schemas, 'invalidPath');
  if (head.sub || !head.attr) throw badRequest('invalidPath', `a value filter must follow an attribute in "${text}"`);
  const tail = text.slice(close + 1);
  if (tail && !/^\.[A-Za-z$][\w$-]*$/.test(tail)) throw badRequest('invalidPath', `invalid path "${text}"`);
  let filter: Filter;
  try {
    filter = parseFilter(text.slice(open + 1, close));
  } catch (err) {
    throw err instanceof ScimError
      ? badRequest('invalidPath', `invalid filter in path "${text}": ${err.message}`)
      : err;
  }
  return { ...head, filter, ...(tail && { sub: tail.slice(1) }) };
}

/**
 * Applies operations to a resource representation (a copy is returned). The result still has to go through
 * canonicalisation, which validates types and drops what may not be written.
 */
export function applyPatch(resource: JsonObject, ops: PatchOperation[], schemas: ResourceSchemas): JsonObject {
  const doc = structuredClone(resource);
  for (const op of ops) {
    if (op.path) {
      applyAt(doc, op.op, op.path, op.value, schemas);
      continue;
    }
    if (!isObject(op.value)) throw badRequest('invalidValue', `${op.op} without a path needs an object value`);
    for (const [key, value] of Object.entries(op.value)) {
      if (READ_ONLY.has(key.toLowerCase())) continue;
      const extension = /^urn:/i.test(key) ? findSchema(schemas, key) : undefined;
      if (extension && extension.id !== schemas.core.id) {
        if (!isObject(value)) throw badRequest('invalidValue', `"${key}" must be an object`);
        for (const [inner, v] of Object.entries(value)) {
          if (findAttr(extension.attributes, inner))
            applyAt(doc, op.op, { schema: extension.id, attr: inner }, v, schemas);
        }
        continue;
      }
      let path: AttrPath;
      try {
        path = parseAttrPath(key, schemas, 'invalidPath');
      } catch {
        continue;
      }
      // a path-less value may carry attributes this service does not know: ignored, as on POST and PUT
      if (defOf(path, schemas)) applyAt(doc, op.op, path, value, schemas);
    }
  }
  return doc;
}

function defOf(path: AttrPath, schemas: ResourceSchemas): AttrDef | undefined {
  const schema = path.schema ? findSchema(schemas, path.schema) : schemas.core;
  return findAttr(schema?.attributes, path.attr);
}

function applyAt(
  doc: JsonObject,
  op: PatchOperation['op'],
  path: PatchPath,
  value: Json | undefined,
  schemas: ResourceSchemas,
) {
  if (!path.schema && READ_ONLY.has(path.attr.toLowerCase())) {
    throw new ScimError(400, 'mutability', `"${path.attr}" is read-only`);
  }
  const container = containerOf(doc, path, op !== 'remove');
  if (!path.attr) return applyToExtension(doc, op, path, value);
  const def = defOf(path, schemas);
  if (!def) throw badRequest('invalidPath', `unknown attribute "${path.attr}"`);
  if (def.mutability === 'readOnly') throw new ScimError(400, 'mutability', `"${def.name}" is read-only`);
  if (path.sub && !findAttr(def.subAttributes, path.sub)) {
    throw badRequest('invalidPath', `unknown sub-attribute "${def.name}.${path.sub}"`);
  }
  if (path.filter && !(def.multiValued && def.type === 'complex')) {
    throw badRequest('invalidPath', `"${def.name}" is not a multi-valued complex attribute`);
  }
  if (!container) return; // removing from an extension the resource does not have: nothing there
  const key = getKey(container, def.name) ?? def.name;
  if (path.filter) return applyFiltered(container, key, op, path, path.filter, value);
  if (path.sub) return applySub(container, key, def, op, path.sub, value);
  if (op === 'remove') return removeAttr(container, key, def, value);
  if (def.multiValued) {
    const incoming = asArray(value);
    const current = op === 'replace' ? [] : asArray(container[key]);
    const merged = [...current];
    for (const item of incoming) if (!merged.some((m) => sameValue(m, item))) merged.push(item);
    container[key] = merged;
  } else if (def.type === 'complex' && isObject(value) && isObject(container[key])) {
    container[key] = { ...(container[key] as JsonObject), ...value };
  } else {
    container[key] = value ?? null;
  }
}

function containerOf(doc: JsonObject, path: AttrPath, create: boolean): JsonObject | undefined {
  if (!path.schema) return doc;
  const key = getKey(doc, path.schema) ?? path.schema;
  const existing = doc[key];
  if (isObject(existing)) return existing;
  if (!create) return undefined;
  const fresh: JsonObject = {};
  doc[key] = fresh;
  return fresh;
}

function applyToExtension(doc: JsonObject, op: PatchOperation['op'], path: AttrPath, value: Json | undefined) {
  const key = getKey(doc, path.schema ?? '') ?? path.schema ?? '';
  if (op === 'remove') {
    delete doc[key];
    return;
  }
  if (!isObject(value)) throw badRequest('invalidValue', `"${key}" must be an object`);
  doc[key] = op === 'replace' ? value : { ...(isObject(doc[key]) ? doc[key] : {}), ...value };
}

function applySub(
  container: JsonObject,
  key: string,
  def: AttrDef,
  op: PatchOperation['op'],
  sub: string,
  value: Json | undefined,
) {
  const current = container[key];
  if (!def.multiValued) {
    const obj: JsonObject = isObject(current) ? current : {};
    const subKey = getKey(obj, sub) ?? sub;
    if (op === 'remove') delete obj[subKey];
    else obj[subKey] = value ?? null;
    container[key] = obj;
    return;
  }
  const items = asArray(current).filter(isObject);
  if (op === 'remove') {
    for (const item of items) delete item[getKey(item, sub) ?? sub];
    return;
  }
  const target = items.find((i) => i.primary === true) ?? items[0];
  if (target) target[getKey(target, sub) ?? sub] = value ?? null;
  else container[key] = [{ [sub]: value ?? null }];
}

function applyFiltered(
  container: JsonObject,
  key: string,
  op: PatchOperation['op'],
  path: PatchPath,
  filter: Filter,
  value: Json | undefined,
) {
  const items = asArray(container[key]);
  const matched = items.filter((i): i is JsonObject => isObject(i) && matchesFilter(i, filter));
  if (!matched.length) {
    const seed = op === 'remove' ? null : elementFromFilter(filter);
    if (!seed) throw badRequest('noTarget', `no value of "${key}" matches the filter`);
    // Entra adds `emails[type eq "work"].value` to a user without a work e-mail: create the element
    container[key] = [
      ...items,
      path.sub ? { ...seed, [path.sub]: value ?? null } : { ...seed, ...(isObject(value) ? value : {}) },
    ];
    return;
  }
  if (path.sub) {
    for (const item of matched) {
      const subKey = getKey(item, path.sub) ?? path.sub;
      if (op === 'remove') delete item[subKey];
      else item[subKey] = value ?? null;
    }
    return;
  }
  if (op === 'remove') {
    container[key] = items.filter((i) => !matched.includes(i as JsonObject));
    return;
  }
  if (!isObject(value)) throw badRequest('invalidValue', `${op} of "${key}[…]" needs an object value`);
  container[key] = items.map((i) =>
    matched.includes(i as JsonObject) ? (op === 'replace' ? value : { ...(i as JsonObject), ...value }) : i,
  );
}

/** The element an `eq` filter describes, e.g. `type eq "work"` -> `{type: "work"}`; null for anything else. */
function elementFromFilter(filter: Filter): JsonObject | null {
  if (filter.op === 'and') {
    const [left, right] = [elementFromFilter(filter.left), elementFromFilter(filter.right)];
    return left && right ? { ...left, ...right } : null;
  }
  if (filter.op === 'eq' && !filter.path.sub && !filter.path.schema) return { [filter.path.attr]: filter.value };
  return null;
}

function removeAttr(container: JsonObject, key: string, def: AttrDef, value: Json | undefined) {
  if (def.multiValued && value !== undefined && value !== null) {
    // Entra removes members with `path: "members", value: [{value: id}]`: remove just those
    const gone = Array.isArray(value) ? value : [value];
    container[key] = asArray(container[key]).filter((item) => !gone.some((g) => sameValue(item, g)));
    return;
  }
  delete container[key];
}

const asArray = (v: Json | undefined): Json[] => (Array.isArray(v) ? v : v === undefined || v === null ? [] : [v]);

/** Two values of a multi-valued attribute are the same when their `value`s match (case-insensitively). */
function sameValue(a: Json, b: Json): boolean {
  const key = (x: Json) => {
    const v = isObject(x) ? x[getKey(x, 'value') ?? 'value'] : x;
    return typeof v === 'string' ? v.toLowerCase() : JSON.stringify(v);
  };
  if (isObject(a) && isObject(b) && getKey(a, 'value') === undefined && getKey(b, 'value') === undefined) {
    return JSON.stringify(a) === JSON.stringify(b);
  }
  return key(a) === key(b);
}
