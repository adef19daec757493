import { badRequest } from './errors.js';
import { parseAttrPath, type AttrPath } from './path.js';
import type { ResourceSchemas } from './schema-defs.js';

export type CompareOp = 'eq' | 'ne' | 'co' | 'sw' | 'ew' | 'gt' | 'ge' | 'lt' | 'le';
export type FilterValue = string | number | boolean | null;

/** RFC 7644 §3.4.2.2 filter. */
export type Filter =
  | { op: 'and' | 'or'; left: Filter; right: Filter }
  | { op: 'not'; filter: Filter }
  | { op: 'pr'; path: AttrPath }
  | { op: CompareOp; path: AttrPath; value: FilterValue }
  | { op: 'valuePath'; path: AttrPath; filter: Filter };

const COMPARE_OPS = new Set<string>(['eq', 'ne', 'co', 'sw', 'ew', 'gt', 'ge', 'lt', 'le']);

type Token = { kind: 'word'; text: string } | { kind: 'string'; text: string } | { kind: 'punct'; text: string };

function tokenize(input: string): Token[] {
  const tokens: Token[] = [];
  let i = 0;
  while (i < input.length) {
    const c = input[i]!;
    if (/\s/.test(c)) {
      i++;
    } else if ('()[]'.includes(c)) {
      tokens.push({ kind: 'punct', text: c });
      i++;
    } else if (c === '"') {
      let j = i + 1;
      while (j < input.length && input[j] !== '"') j += input[j] === '\\' ? 2 : 1;
      if (j >= input.length) throw badRequest('invalidFilter', 'unterminated string in filter');
      try {
        tokens.push({ kind: 'string', text: JSON.parse(input.slice(i, j + 1)) as string });
      } catch {
        throw badRequest('invalidFilter', 'invalid string literal in filter');
      }
      i = j + 1;
    } else {
      let j = i;
      while (j < input.length && !/[\s()[\]"]/.test(input[j]!)) j++;
      tokens.push({ kind: 'word', text: input.slice(i, j) });
      i = j;
    }
  }
  return tokens;
}

/** Parses a filter. Bare words as values (`name.familyName eq Employee`) are read as strings, as Entra's tests send. */
export function parseFilter(input: string, schemas?: ResourceSchemas): Filter {
  const tokens = tokenize(input);
  let pos = 0;
  const peek = () => tokens[pos];
  const isWord = (t: Token | undefined, text: string) => t?.kind === 'word' && t.text.toLowerCase() === text;
  const isPunct = (t: Token | undefined, text: string) => t?.kind === 'punct' && t.text === text;
  const expect = (text: string) => {
    if (!isPunct(peek(), text)) throw badRequest('invalidFilter', `expected "${text}" in filter`);
    pos++;
  };

  const parseOr = (nested: ResourceSchemas | undefined): Filter => {
    let left = parseAnd(nested);
    while (isWord(peek(), 'or')) {
      pos++;
      left = { op: 'or', left, right: parseAnd(nested) };
    }
    return left;
  };
  const parseAnd = (nested: ResourceSchemas | undefined): Filter => {
    let left = parseUnary(nested);
    while (isWord(peek(), 'and')) {
      pos++;
      left = { op: 'and', left, right: parseUnary(nested) };
    }
    return left;
  };
  const parseUnary = (nested: ResourceSchemas | undefined): Filter => {
    const t = peek();
    if (isWord(t, 'not') && isPunct(tokens[pos + 1], '(')) {
      pos += 2;
      const filter = parseOr(nested);
      expect(')');
      return { op: 'not', filter };
    }
    if (isPunct(t, '(')) {
      pos++;
      const filter = parseOr(nested);
      expect(')');
      return filter;
    }
    if (t?.kind !== 'word') throw badRequest('invalidFilter', 'expected an attribute name in filter');
    pos++;
    const path = parseAttrPath(t.text, nested, 'invalidFilter');
    if (!path.attr) throw badRequest('invalidFilter', `"${t.text}" is not an attribute`);
    if (isPunct(peek(), '[')) {
      if (path.sub) throw badRequest('invalidFilter', `a value filter cannot follow "${t.text}"`);
      pos++;
      const filter = parseOr(undefined);
      expect(']');
      return { op: 'valuePath', path, filter };
    }
    const opToken = peek();
    if (opToken?.kind !== 'word') throw badRequest('invalidFilter', `expected an operator after "${t.text}"`);
    const op = opToken.text.toLowerCase();
    pos++;
    if (op === 'pr') return { op: 'pr', path };
    if (!COMPARE_OPS.has(op)) throw badRequest('invalidFilter', `unknown operator "${opToken.text}"`);
    return { op: op as CompareOp, path, value: parseValue() };
  };
  const parseValue = (): FilterValue => {
    const t = peek();
    if (!t || t.kind === 'punct') throw badRequest('invalidFilter', 'expected a value in filter');
    pos++;
    if (t.kind === 'string') return t.text;
    const lower = t.text.toLowerCase();
    if (lower === 'true') return true;
    if (lower === 'false') return false;
    if (lower === 'null') return null;
    if (/^-?\d+(\.\d+)?([eE][-+]?\d+)?$/.test(t.text)) return Number(t.text);
    return t.text;
  };

  if (!tokens.length) throw badRequest('invalidFilter', 'empty filter');
  const filter = parseOr(schemas);
  if (pos < tokens.length) throw badRequest('invalidFilter', 'unexpected text at the end of the filter');
  return filter;
}

export type Json = null | boolean | number | string | Json[] | { [key: string]: Json };
export type JsonObject = { [key: string]: Json };

export const isObject = (v: unknown): v is JsonObject => typeof v === 'object' && v !== null && !Array.isArray(v);

/** Case-insensitive property lookup, as SCIM attribute names are. */
export function getKey(obj: JsonObject, name: string): string | undefined {
  if (name in obj) return name;
  const lower = name.toLowerCase();
  return Object.keys(obj).find((k) => k.toLowerCase() === lower);
}

const getProp = (obj: JsonObject, name: string): Json | undefined => {
  const key = getKey(obj, name);
  return key === undefined ? undefined : obj[key];
};

/** The primitive values a path reaches; a multi-valued complex attribute without sub-attribute means its `value`s. */
function valuesAt(resource: JsonObject, path: AttrPath): Json[] {
  const base = path.schema ? getProp(resource, path.schema) : resource;
  if (!isObject(base)) return [];
  const top = getProp(base, path.attr);
  if (top === undefined || top === null) return [];
  const items = Array.isArray(top) ? top : [top];
  const sub = path.sub ?? (items.some(isObject) && Array.isArray(top) ? 'value' : undefined);
  const out: Json[] = [];
  for (const item of items) {
    const v = sub === undefined ? item : isObject(item) ? getProp(item, sub) : undefined;
    if (v !== undefined && v !== null) out.push(v);
  }
  return out;
}

const CASE_EXACT = new Set(['id', 'externalid']);
const ISO_DATE = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}/;

function compare(op: CompareOp, actual: Json, expected: FilterValue, caseExact: boolean): boolean {
  if (expected === null) return op === 'eq' ? actual === null : op === 'ne' ? actual !== null : false;
  if (typeof expected === 'boolean' || typeof actual === 'boolean') {
    const a = typeof actual === 'string' ? actual.toLowerCase() === 'true' : actual === true;
    const e = typeof expected === 'string' ? expected.toLowerCase() === 'true' : expected === true;
    return op === 'eq' ? a === e : op === 'ne' ? a !== e : false;
  }
  if (typeof actual === 'object') return false;
  let a: string | number = actual;
  let e: string | number = expected;
  if (typeof a === 'string' && typeof e === 'string' && ISO_DATE.test(a) && ISO_DATE.test(e)) {
    const [da, de] = [Date.parse(a), Date.parse(e)];
    if (!Number.isNaN(da) && !Number.isNaN(de) && ['gt', 'ge', 'lt', 'le'].includes(op)) [a, e] = [da, de];
  }
  if (typeof a === 'number' || typeof e === 'number') {
    const [na, ne] = [Number(a), Number(e)];
    if (Number.isNaN(na) || Number.isNaN(ne)) return false;
    [a, e] = [na, ne];
  } else if (!caseExact) {
    [a, e] = [a.toLowerCase(), e.toLowerCase()];
  }
  switch (op) {
    case 'eq':
      return a === e;
    case 'ne':
      return a !== e;
    case 'co':
      return String(a).includes(String(e));
    case 'sw':
      return String(a).startsWith(String(e));
    case 'ew':
      return String(a).endsWith(String(e));
    case 'gt':
      return a > e;
    case 'ge':
      return a >= e;
    case 'lt':
      return a < e;
    case 'le':
      return a <= e;
  }
}

/** Whether a resource (or one element of a multi-valued attribute) matches the filter. */
export function matchesFilter(resource: JsonObject, filter: Filter): boolean {
  switch (filter.op) {
    case 'and':
      return matchesFilter(resource, filter.left) && matchesFilter(resource, filter.right);
    case 'or':
      return matchesFilter(resource, filter.left) || matchesFilter(resource, filter.right);
    case 'not':
      return !matchesFilter(resource, filter.filter);
    case 'pr':
      return valuesAt(resource, filter.path).some((v) => v !== '' && !(Array.isArray(v) && !v.length));
    case 'valuePath': {
      const base = filter.path.schema ? getProp(resource, filter.path.schema) : resource;
      const top = isObject(base) ? getProp(base, filter.path.attr) : undefined;
      const items = Array.isArray(top) ? top : top === undefined || top === null ? [] : [top];
      return items.some((item) => isObject(item) && matchesFilter(item, filter.filter));
    }
    default: {
      const caseExact = CASE_EXACT.has(filter.path.attr.toLowerCase()) && !filter.path.sub && !filter.path.schema;
      const values = valuesAt(resource, filter.path);
      if (filter.op === 'ne') return !values.some((v) => compare('eq', v, filter.value, caseExact));
      return values.some((v) => compare(filter.op as CompareOp, v, filter.value, caseExact));
    }
  }
}
