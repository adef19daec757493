import SCIMMY from 'scimmy';
import { matchFilter, simpleEquality, validateFilter } from '../../http/scim/filter-plan.js';
import { normalisePatchBody } from '../../http/scim/normalise.js';
import { ScimError, type ScimType } from './errors.js';
import { isObject, type Json, type JsonObject } from './json.js';

/**
 * The stand-in's SCIM engine is scimmy, the engine of the service's own SCIM endpoint: its filter parser and
 * matcher and its PatchOp, with the same normalisation in front of them (http/scim: case-insensitive attribute
 * names, Entra's string booleans), over schema definitions of the stand-in's own. Those are copies of scimmy's
 * User, EnterpriseUser and Group (scimmy's schema classes and registry are process-global and belong to the
 * service: a copy keeps one server from changing the other's schemas), with the `type` of multi-valued attributes
 * open to any value, as the service has them. Heap's facts extension is read-only and has no
 * `urn:ietf:params:scim:schemas:` URN, so it never enters the engine.
 *
 * What the stand-in adds on top, each a behaviour of RFC 7644 scimmy leaves out: string comparisons follow each
 * attribute's `caseExact` (userName and e-mails match in any case), a multi-valued attribute compared as a whole
 * compares its `value`s, a filtered remove that matches nothing is 400 `noTarget` (which tells a client its view is
 * stale), and an add to `attr[type eq "x"].sub` with no such element creates it (Entra's e-mail updates).
 */

type Attribute = SCIMMY.Types.Attribute;
type Definition = SCIMMY.Types.SchemaDefinition;
export type ResourceKind = 'User' | 'Group';

const OPEN_TYPES = new Set([
  'emails',
  'phoneNumbers',
  'ims',
  'photos',
  'addresses',
  'entitlements',
  'roles',
  'x509Certificates',
]);
const COMMON = new Set(['schemas', 'id', 'externalId', 'meta']);

function cloneAttribute(a: Attribute, parent?: string): Attribute {
  const config = { ...(a.config as unknown as Record<string, unknown>) };
  if (a.name === 'type' && parent && OPEN_TYPES.has(parent)) config.canonicalValues = false;
  return new SCIMMY.Types.Attribute(
    a.type as ConstructorParameters<typeof SCIMMY.Types.Attribute>[0],
    a.name,
    config as ConstructorParameters<typeof SCIMMY.Types.Attribute>[2],
    (a.subAttributes ?? []).map((s) => cloneAttribute(s, a.name)),
  );
}

const copyOf = (definition: Definition) =>
  new SCIMMY.Types.SchemaDefinition(
    definition.name,
    definition.id,
    definition.description,
    definition.attributes
      .filter((a): a is Attribute => a instanceof SCIMMY.Types.Attribute && !COMMON.has(a.name))
      .map((a) => cloneAttribute(a)),
  );

const ENTERPRISE_DEFINITION = copyOf(SCIMMY.Schemas.EnterpriseUser.definition);
const USER_DEFINITION = copyOf(SCIMMY.Schemas.User.definition).extend(ENTERPRISE_DEFINITION, false);
const GROUP_DEFINITION = copyOf(SCIMMY.Schemas.Group.definition);
export const DEFINITIONS: Record<ResourceKind, Definition> = { User: USER_DEFINITION, Group: GROUP_DEFINITION };

/** A schema class over a definition: what scimmy's PatchOp patches. */
function schemaClass(definition: Definition) {
  return class extends SCIMMY.Types.Schema {
    static override get id() {
      return definition.id;
    }
    static override get definition() {
      return definition;
    }
    constructor(resource: object, direction = 'both') {
      super(resource, direction);
      Object.assign(this, definition.coerce(resource, direction as 'both'));
    }
  };
}
const CLASSES = { User: schemaClass(USER_DEFINITION), Group: schemaClass(GROUP_DEFINITION) };

/** scimmy's errors as the stand-in's, so its one error handler answers them; anything else is a bad request. */
function asScimError(err: unknown, fallback: ScimType): ScimError {
  if (err instanceof ScimError) return err;
  if (err instanceof SCIMMY.Types.Error) {
    const e = err as unknown as { status: number; scimType?: string; message: string };
    return new ScimError(e.status, (e.scimType as ScimType | undefined) ?? fallback, e.message);
  }
  return new ScimError(400, fallback, (err as Error)?.message ?? String(err));
}

const attributeAt = (definition: Definition, path: string): Attribute | undefined => {
  try {
    const found = definition.attribute(path) as unknown;
    return found instanceof SCIMMY.Types.Attribute ? found : undefined;
  } catch {
    return undefined;
  }
};

// --- filters -------------------------------------------------------------------------------------------------

/** The schema URN a fully qualified attribute name starts with, and the rest: `urn:…:enterprise:2.0:User:department`. */
function splitUrn(definition: Definition, key: string): { schema: string; rest: string } | null {
  if (!/^urn:/i.test(key)) return null;
  const lower = key.toLowerCase();
  const ids = [
    definition.id,
    ...definition.attributes.filter((a) => a instanceof SCIMMY.Types.SchemaDefinition).map((d) => d.id),
  ];
  const id = ids.find((i) => lower.startsWith(`${i.toLowerCase()}:`));
  return id ? { schema: id, rest: key.slice(id.length + 1) } : null;
}

const isExtensionId = (definition: Definition, urn: string) =>
  definition.attributes.some(
    (a) => a instanceof SCIMMY.Types.SchemaDefinition && a.id.toLowerCase() === urn.toLowerCase(),
  );

/** The path of `key` inside `prefix`: `name.givenName`, or `urn:…:enterprise:2.0:User:department` in an extension. */
const childPath = (definition: Definition, prefix: string, key: string): string =>
  !prefix ? key : isExtensionId(definition, prefix) ? `${prefix}:${key}` : `${prefix}.${key}`;

/**
 * scimmy's matcher looks a fully qualified name up as one key; the resource holds extension attributes under
 * their schema's URN and core attributes at the top: `urn:…:enterprise:2.0:User:department` -> `{ urn: { department } }`.
 */
function unqualify(definition: Definition, key: string, node: unknown): { key: string; node: unknown } {
  const split = splitUrn(definition, key);
  if (!split) return { key, node };
  const [head, ...tail] = split.rest.split('.');
  const inner = tail.length ? { [tail.join('.')]: node } : node;
  if (split.schema === definition.id) return { key: head ?? '', node: inner };
  return { key: split.schema, node: { [head ?? '']: inner } };
}

type Branch = Record<string, unknown>;
const isExpression = (v: unknown): v is unknown[] => Array.isArray(v) && typeof v[0] === 'string';

/**
 * Rewrites a parsed filter for matching: string values of attributes that are not caseExact lower-cased (the
 * resources are folded the same way), and a multi-valued complex attribute compared as a whole compared by `value`.
 */
function foldBranch(definition: Definition, branch: Branch, prefix: string): Branch {
  const out: Branch = {};
  for (const [rawKey, rawNode] of Object.entries(branch)) {
    const { key, node } = prefix ? { key: rawKey, node: rawNode } : unqualify(definition, rawKey, rawNode);
    const path = childPath(definition, prefix, key);
    const attr = attributeAt(definition, path);
    if (isExpression(node) || (Array.isArray(node) && node.every(isExpression))) {
      const fold = (e: unknown[]) =>
        e.map((part, i) =>
          i > 0 && typeof part === 'string' && attr && !attr.config.caseExact ? part.toLowerCase() : part,
        );
      const folded = isExpression(node) ? fold(node) : (node as unknown[][]).map(fold);
      const valueOf =
        attr?.type === 'complex' && attr.config.multiValued && attr.subAttributes?.some((s) => s.name === 'value');
      out[key] = valueOf ? { value: folded } : folded;
    } else if (isObject(node as Json)) {
      out[key] = foldBranch(definition, node as Branch, path);
    } else {
      out[key] = node;
    }
  }
  return out;
}

function foldValue(definition: Definition, value: Json, path: string): Json {
  // scimmy's matcher cannot walk into a null: unassigned is absent
  if (Array.isArray(value)) return value.filter((v) => v !== null).map((v) => foldValue(definition, v, path));
  if (isObject(value)) {
    const out: JsonObject = {};
    for (const [key, v] of Object.entries(value)) {
      if (v === null) continue;
      out[key] = foldValue(definition, v, childPath(definition, path, key));
    }
    return out;
  }
  if (typeof value !== 'string') return value;
  const attr = attributeAt(definition, path);
  return attr && !attr.config.caseExact ? value.toLowerCase() : value;
}

export interface ParsedFilter {
  kind: ResourceKind;
  /** as scimmy parsed it: branches joined by `or`, each an object of attribute -> expression joined by `and` */
  branches: Branch[];
  match: SCIMMY.Types.Filter;
}

/** Parses a `filter` (RFC 7644 §3.4.2.2); every attribute it names must exist in the resource's schema. */
export function parseFilter(text: string, kind: ResourceKind): ParsedFilter {
  const definition = DEFINITIONS[kind];
  // the filters IdPs send on every push (`userName eq "…"`): read without scimmy's lexer, as the service does
  const simple = simpleEquality(text);
  if (simple && simple.attribute !== 'emails.value') {
    const name = attributeAt(definition, simple.attribute)?.name;
    if (name) {
      const branches = [{ [name]: ['eq', simple.value] }];
      return {
        kind,
        branches,
        match: new SCIMMY.Types.Filter(branches.map((b) => foldBranch(definition, b, '')) as never),
      };
    }
  }
  let filter: SCIMMY.Types.Filter;
  try {
    if (!text.trim()) throw new ScimError(400, 'invalidFilter', 'the filter is empty');
    filter = new SCIMMY.Types.Filter(text);
    validateFilter(definition, filter);
  } catch (err) {
    throw asScimError(err, 'invalidFilter');
  }
  const branches = [...filter] as Branch[];
  let match: SCIMMY.Types.Filter;
  try {
    match = new SCIMMY.Types.Filter(branches.map((b) => foldBranch(definition, b, '')) as never);
  } catch (err) {
    throw asScimError(err, 'invalidFilter');
  }
  return { kind, branches, match };
}

/** The complex attributes a filter walks into (`emails` of `emails.value eq …`), as a tree of names. */
type Shape = Map<string, Shape>;
function shapeOf(branches: Branch[], into: Shape = new Map()): Shape {
  for (const branch of branches) {
    for (const [key, node] of Object.entries(branch)) {
      if (Array.isArray(node) || !isObject(node as Json)) continue;
      const lower = key.toLowerCase();
      into.set(lower, shapeOf([node as Branch], into.get(lower) ?? new Map()));
    }
  }
  return into;
}

/** scimmy's matcher throws on a complex attribute the resource does not have: an empty one stands in for it. */
function withPlaceholders(resource: JsonObject, shape: Shape): JsonObject {
  if (!shape.size) return resource;
  const out: JsonObject = { ...resource };
  for (const [name, inner] of shape) {
    const key = Object.keys(out).find((k) => k.toLowerCase() === name);
    const value = key === undefined ? undefined : out[key];
    if (value === undefined || value === null) out[key ?? name] = {};
    else if (isObject(value)) out[key as string] = withPlaceholders(value, inner);
  }
  return out;
}

/** The resources (SCIM JSON) the filter matches, in their order. */
export function filterResources(filter: ParsedFilter, resources: JsonObject[]): JsonObject[] {
  const definition = DEFINITIONS[filter.kind];
  const shape = shapeOf([...filter.match] as Branch[]);
  // only the attributes the filter names are folded: copying every attribute of every user costs more than matching
  const named = new Set(filter.match.flatMap((b) => Object.keys(b).map((k) => k.toLowerCase())));
  const folded = resources.map((r) => {
    const picked: JsonObject = {};
    for (const [k, v] of Object.entries(r)) if (named.has(k.toLowerCase())) picked[k] = v;
    return withPlaceholders(foldValue(definition, picked, '') as JsonObject, shape);
  });
  let matched: JsonObject[];
  try {
    matched = matchFilter(filter.match, folded);
  } catch (err) {
    throw asScimError(err, 'invalidFilter');
  }
  const keep = new Set(matched);
  return resources.filter((_, i) => keep.has(folded[i] as JsonObject));
}

// --- PATCH ---------------------------------------------------------------------------------------------------

interface Operation {
  op: string;
  path?: string;
  value?: Json;
}

const VALUE_PATH = /^([^[\]]+)\[(.+)\](?:\.([A-Za-z$][\w$-]*))?$/;

/** `{ type: "work" }` for `type eq "work"` (and `and`s of such); null for any other filter. */
function elementOf(branches: Branch[]): JsonObject | null {
  if (branches.length !== 1) return null;
  const out: JsonObject = {};
  for (const [key, node] of Object.entries(branches[0] ?? {})) {
    if (!isExpression(node) || node.length !== 2 || String(node[0]).toLowerCase() !== 'eq') return null;
    out[key] = node[1] as Json;
  }
  return out;
}

const valuesOf = (doc: JsonObject, attr: string): JsonObject[] => {
  const key = Object.keys(doc).find((k) => k.toLowerCase() === attr.toLowerCase());
  const v = key === undefined ? undefined : doc[key];
  return (Array.isArray(v) ? v : v === undefined || v === null ? [] : [v]).filter(isObject);
};

/** Path-less operations as one operation per attribute, leaving out what may not be written and what is unknown. */
function expandPathless(definition: Definition, operation: Operation): Operation[] {
  if (operation.path !== undefined || !isObject(operation.value ?? null)) return [operation];
  const out: Operation[] = [];
  for (const [key, value] of Object.entries(operation.value as JsonObject)) {
    if (/^(schemas|id|meta)$/i.test(key)) continue;
    if (isExtensionId(definition, key)) {
      if (!isObject(value)) continue;
      for (const [inner, v] of Object.entries(value)) {
        if (!/^schemas$/i.test(inner)) out.push({ op: operation.op, path: `${key}:${inner}`, value: v });
      }
      continue;
    }
    // a path-less value may carry attributes this service does not know: ignored, as on POST and PUT
    if (attributeAt(definition, stripFilters(key))) out.push({ op: operation.op, path: key, value });
  }
  return out;
}

/** Whether the attribute a path names (or, for `a.b`, its parent `a`) has a value in the resource. */
function presentAt(definition: Definition, doc: JsonObject, path: string): boolean {
  const split = splitUrn(definition, path);
  let container: Json | undefined = doc;
  let rest = path;
  if (split && split.schema !== definition.id) {
    container = doc[Object.keys(doc).find((k) => k.toLowerCase() === split.schema.toLowerCase()) ?? split.schema];
    rest = split.rest;
  } else if (split) rest = split.rest;
  const head = rest.split('.')[0] ?? '';
  if (!isObject(container ?? null)) return false;
  const key = Object.keys(container as JsonObject).find((k) => k.toLowerCase() === head.toLowerCase());
  const value = key === undefined ? undefined : (container as JsonObject)[key];
  return value !== undefined && value !== null;
}

/** `manager.value` of an absent `manager` as an add of `manager: { value }`: scimmy finds no `manager` to set it in. */
function withParent(definition: Definition, path: string, value: Json | undefined): { path: string; value?: Json } {
  const split = splitUrn(definition, path);
  const prefix = split && split.schema !== definition.id ? `${split.schema}:` : '';
  const rest = split ? split.rest : path;
  const dot = rest.indexOf('.');
  if (dot < 0 || value === undefined) return { path, ...(value !== undefined && { value }) };
  return { path: `${prefix}${rest.slice(0, dot)}`, value: { [rest.slice(dot + 1)]: value } };
}

const stripFilters = (path: string) => path.replace(/\[[^\]]*\]/g, '');

const sameValue = (a: Json, b: Json): boolean => {
  const key = (x: Json) => {
    const v = isObject(x) ? x[Object.keys(x).find((k) => k.toLowerCase() === 'value') ?? 'value'] : x;
    return typeof v === 'string' ? v.toLowerCase() : JSON.stringify(v);
  };
  return key(a) === key(b);
};

/**
 * What the stand-in asks of a PATCH beyond scimmy's PatchOp, applied before it, operation by operation: read-only
 * attributes refused (400 mutability); a filtered remove that matches nothing is `noTarget`; an add or replace
 * of `attr[eq filter].sub` with no such element adds the element; an add of values already there adds nothing.
 */
function prepare(kind: ResourceKind, doc: JsonObject, ops: Operation[]): Operation[] {
  const definition = DEFINITIONS[kind];
  return ops
    .flatMap((o) => expandPathless(definition, o))
    .map((operation, i) => {
      const path = operation.path;
      if (path === undefined) return operation;
      const attr = attributeAt(definition, stripFilters(path));
      if (!attr && !isExtensionId(definition, path)) {
        throw new ScimError(400, 'invalidPath', `Operations[${i}]: unknown attribute "${path}"`);
      }
      if (attr && attr.config.mutable === false) {
        throw new ScimError(400, 'mutability', `Operations[${i}]: "${path}" is read-only`);
      }
      let op = operation.op.toLowerCase();
      const m = VALUE_PATH.exec(path);
      // RFC 7644 §3.5.2.3: replacing an attribute that has no value adds it (scimmy says "no match" instead)
      if ((op === 'replace' || op === 'add') && !m && !presentAt(definition, doc, path)) {
        op = 'add';
        operation = { ...operation, op: 'add', ...withParent(definition, path, operation.value) };
      }
      if (!m?.[1] || !m[2]) {
        if (op !== 'add' || !attr?.config.multiValued || operation.value === undefined) return operation;
        const existing = valuesOf(doc, path);
        const incoming = Array.isArray(operation.value) ? operation.value : [operation.value];
        const fresh = incoming.filter(
          (v, j) => !existing.some((e) => sameValue(e, v)) && !incoming.slice(0, j).some((w) => sameValue(w, v)),
        );
        return { ...operation, value: fresh };
      }
      const [, name, filterText, sub] = m;
      let branches: Branch[];
      try {
        branches = [...new SCIMMY.Types.Filter(filterText)] as Branch[];
      } catch (err) {
        throw new ScimError(400, 'invalidPath', `Operations[${i}]: invalid filter in path: ${(err as Error).message}`);
      }
      const elements = valuesOf(doc, name);
      const matched = elements.length
        ? new SCIMMY.Types.Filter(branches as never).match(elements.map((e) => ({ ...e })))
        : [];
      if (matched.length) return operation;
      if (op === 'remove')
        throw new ScimError(400, 'noTarget', `Operations[${i}]: no value of "${name}" matches the filter`);
      const seed = elementOf(branches);
      if (!seed || !attributeAt(definition, name)?.config.multiValued) return operation;
      const element = sub
        ? { ...seed, [sub]: operation.value ?? null }
        : { ...seed, ...(isObject(operation.value ?? null) ? (operation.value as JsonObject) : {}) };
      return { op: 'add', path: name, value: [element] };
    });
}

/** Reads the operations of a PatchOp body, or says what is wrong with it (400 invalidSyntax). */
function operationsOf(body: unknown): Operation[] {
  if (!isObject(body as Json)) throw new ScimError(400, 'invalidSyntax', 'a PATCH body must be a PatchOp object');
  const b = body as JsonObject;
  const key = Object.keys(b).find((k) => k.toLowerCase() === 'operations');
  const ops = key === undefined ? undefined : b[key];
  if (!Array.isArray(ops) || !ops.length)
    throw new ScimError(400, 'invalidSyntax', '"Operations" must be a non-empty array');
  return ops.map((raw, i) => {
    if (!isObject(raw)) throw new ScimError(400, 'invalidSyntax', `Operations[${i}] must be an object`);
    const pick = (name: string) => raw[Object.keys(raw).find((k) => k.toLowerCase() === name) ?? name];
    const op = pick('op');
    if (typeof op !== 'string' || !/^(add|replace|remove)$/i.test(op)) {
      throw new ScimError(400, 'invalidSyntax', `Operations[${i}].op must be add, replace or remove`);
    }
    const path = pick('path');
    if (path !== undefined && path !== null && typeof path !== 'string') {
      throw new ScimError(400, 'invalidPath', `Operations[${i}].path must be a string`);
    }
    const value = pick('value');
    if (!/^remove$/i.test(op) && value === undefined) {
      throw new ScimError(400, 'invalidSyntax', `Operations[${i}]: ${op} needs a value`);
    }
    return {
      op,
      ...(typeof path === 'string' && path.trim() && { path: path.trim() }),
      ...(value !== undefined && { value }),
    };
  });
}

/**
 * Applies a PatchOp body to a resource's SCIM JSON with scimmy's PatchOp; returns the patched JSON (the resource
 * itself when nothing changed). The result still goes through the stand-in's own reading of a resource.
 */
export async function applyPatchOp(kind: ResourceKind, resource: JsonObject, body: unknown): Promise<JsonObject> {
  const definition = DEFINITIONS[kind];
  const operations = prepare(kind, resource, operationsOf(body));
  let message: SCIMMY.Messages.PatchOp;
  try {
    message = new SCIMMY.Messages.PatchOp(
      normalisePatchBody(definition, { schemas: [SCIMMY.Messages.PatchOp.id], Operations: operations }) as never,
    );
  } catch (err) {
    throw asScimError(err, 'invalidSyntax');
  }
  try {
    const patched = await message.apply(new CLASSES[kind](resource));
    return patched === undefined ? resource : (JSON.parse(JSON.stringify(patched)) as JsonObject);
  } catch (err) {
    throw asScimError(err, 'invalidValue');
  }
}
