import SCIMMY from 'scimmy';

type Definition = SCIMMY.Types.SchemaDefinition;
type Found = SCIMMY.Types.Attribute | SCIMMY.Types.SchemaDefinition;

const BOOLEAN_TEXT = /^(true|false)$/i;

const isPlainObject = (v: unknown): v is Record<string, unknown> =>
  typeof v === 'object' && v !== null && !Array.isArray(v);

function findAttribute(definition: Definition, path: string): Found | undefined {
  try {
    return definition.attribute<Found>(path);
  } catch {
    return undefined;
  }
}

/**
 * RFC 7643 §2.1 makes attribute names case-insensitive; scimmy's PatchOp only finds them in the schema's case.
 * Namespaced keys (`urn:…:User:department`) are left as they are: scimmy matches those itself.
 */
function canonicalKey(key: string, found: Found | undefined): string {
  if (found instanceof SCIMMY.Types.SchemaDefinition) return found.id;
  if (found && !key.includes(':')) return found.name;
  return key;
}

/** A PATCH path with every attribute name in the schema's case (filters inside brackets are left alone). */
export function canonicalPath(definition: Definition, path: string): string {
  const lower = path.toLowerCase();
  // scimmy's typings list Attributes only; extensions sit in the same array as SchemaDefinitions.
  const extension = (definition.attributes as unknown[]).find(
    (a): a is Definition =>
      a instanceof SCIMMY.Types.SchemaDefinition &&
      (lower === a.id.toLowerCase() || lower.startsWith(`${a.id.toLowerCase()}:`)),
  );
  const head = extension ? extension.id : '';
  const rest = extension ? path.slice(extension.id.length + 1) : path;
  if (rest === '') return head;
  const segments = rest.match(/[^.[\]]+(\[[^\]]*\])?/g);
  if (!segments || segments.join('.') !== rest) return path;
  const names: string[] = [];
  const out: string[] = [];
  for (const segment of segments) {
    const bracket = segment.indexOf('[');
    const name = bracket < 0 ? segment : segment.slice(0, bracket);
    const lookup = [...names, name].join('.');
    const found = findAttribute(definition, head ? `${head}:${lookup}` : lookup);
    if (!found || found instanceof SCIMMY.Types.SchemaDefinition) return path;
    names.push(found.name);
    out.push(bracket < 0 ? found.name : `${found.name}${segment.slice(bracket)}`);
  }
  return head ? `${head}:${out.join('.')}` : out.join('.');
}

function normaliseValue(definition: Definition, found: Found | undefined, path: string, value: unknown): unknown {
  if (found instanceof SCIMMY.Types.SchemaDefinition) {
    return isPlainObject(value) ? normaliseObject(definition, value, found.id, true) : value;
  }
  if (!found) return value;
  if (String(found.type) === 'boolean' && typeof value === 'string' && BOOLEAN_TEXT.test(value)) {
    return value.toLowerCase() === 'true';
  }
  if (String(found.type) === 'complex') {
    // Entra sets the enterprise `manager` to a bare id string; it is the complex value's `value`.
    if (
      typeof value === 'string' &&
      !found.config.multiValued &&
      found.subAttributes?.some((a) => a.name === 'value')
    ) {
      return { value };
    }
    if (Array.isArray(value))
      return value.map((v) => (isPlainObject(v) ? normaliseObject(definition, v, path, false) : v));
    if (isPlainObject(value)) return normaliseObject(definition, value, path, false);
  }
  return value;
}

function normaliseObject(
  definition: Definition,
  value: Record<string, unknown>,
  prefix: string,
  inExtension: boolean,
): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [key, v] of Object.entries(value)) {
    // Some IdPs repeat `schemas` inside an extension's value; scimmy rejects it as an unknown attribute.
    if (inExtension && key.toLowerCase() === 'schemas') continue;
    const path = prefix === '' ? key : inExtension ? `${prefix}:${key}` : `${prefix}.${key}`;
    const found = findAttribute(definition, path);
    out[canonicalKey(key, found)] = normaliseValue(definition, found, path, v);
  }
  return out;
}

/**
 * Makes an IdP's resource body acceptable to scimmy without changing its meaning: Entra's string booleans
 * (`"active": "False"`) become booleans, a bare string for a complex value with a `value` sub-attribute (Entra's
 * `manager`) becomes `{ value }`, and a `schemas` key inside an extension's value is dropped.
 */
export function normaliseResourceBody(definition: Definition, body: unknown): unknown {
  return isPlainObject(body) ? normaliseObject(definition, body, '', false) : body;
}

/** `emails[type eq "work"].primary` → `emails.primary`: the attribute a PATCH path targets. */
export function stripValueFilters(path: string): string {
  return path.replace(/\[[^\]]*\]/g, '');
}

/** The extension a path names whole (`urn:…:enterprise:2.0:User`), if it does. */
function wholeExtension(definition: Definition, path: string): Definition | undefined {
  const lower = path.toLowerCase();
  return (definition.attributes as unknown[]).find(
    (a): a is Definition => a instanceof SCIMMY.Types.SchemaDefinition && a.id.toLowerCase() === lower,
  );
}

/**
 * scimmy splits a PATCH path at the dot of `2.0`, so a `remove` of a whole extension by its URN fails inside it;
 * removing each of the extension's attributes means the same and takes paths it resolves.
 */
function expandExtensionRemove(definition: Definition, op: unknown): unknown[] {
  if (!isPlainObject(op) || typeof op.op !== 'string' || op.op.toLowerCase() !== 'remove') return [op];
  if (typeof op.path !== 'string') return [op];
  const extension = wholeExtension(definition, op.path.trim());
  if (!extension) return [op];
  return extension.attributes.map((a) => ({ op: 'remove', path: `${extension.id}:${a.name}` }));
}

/** The same for a PatchOp: each operation's value is normalised against the attribute its path targets. */
export function normalisePatchBody(definition: Definition, body: unknown): unknown {
  if (!isPlainObject(body) || !Array.isArray(body.Operations)) return body;
  return {
    ...body,
    Operations: body.Operations.flatMap((op: unknown) => expandExtensionRemove(definition, op)).map((op: unknown) => {
      if (!isPlainObject(op)) return op;
      if (typeof op.path !== 'string' || op.path.trim() === '') {
        return 'value' in op ? { ...op, value: normaliseResourceBody(definition, op.value) } : op;
      }
      const path = canonicalPath(definition, op.path.trim());
      if (!('value' in op)) return { ...op, path };
      const target = stripValueFilters(path);
      return { ...op, path, value: normaliseValue(definition, findAttribute(definition, target), target, op.value) };
    }),
  };
}
