import SCIMMY from 'scimmy';
import type { ScimGroupLookup, ScimUserLookup } from '../../sources/scim/repository.js';
import { scimError } from './scim-errors.js';

type Branch = Record<string, unknown>;

export interface FilterPlan<L> {
  /** an indexed equality the repository answers (with paging in SQL when nothing else is left) */
  lookup?: L;
  /** what is left to match in memory over the candidates, if anything */
  residual?: SCIMMY.Types.Filter;
}

const COMPARATORS = new Set(['eq', 'ne', 'co', 'sw', 'ew', 'gt', 'lt', 'ge', 'le', 'pr', 'np']);

const USER_KEYS: Record<string, ScimUserLookup['by']> = {
  id: 'id',
  username: 'userName',
  externalid: 'externalId',
  displayname: 'displayName',
};
const GROUP_KEYS: Record<string, ScimGroupLookup['by']> = {
  id: 'id',
  displayname: 'displayName',
  externalid: 'externalId',
};

const isEq = (expr: unknown): expr is ['eq', string] =>
  Array.isArray(expr) && expr.length === 2 && String(expr[0]).toLowerCase() === 'eq' && typeof expr[1] === 'string';

const isBranch = (v: unknown): v is Branch => typeof v === 'object' && v !== null && !Array.isArray(v);

function checkExpression(path: string, expr: unknown[]): void {
  const parts = String(expr[0]).toLowerCase() === 'not' ? expr.slice(1) : expr;
  const op = String(parts[0]).toLowerCase();
  if (!COMPARATORS.has(op)) throw scimError(400, 'invalidFilter', `unknown operator "${String(parts[0])}" for ${path}`);
  const unary = op === 'pr' || op === 'np';
  if (!unary && parts.length < 2) throw scimError(400, 'invalidFilter', `operator "${op}" on ${path} needs a value`);
  if (unary && parts.length > 1) throw scimError(400, 'invalidFilter', `operator "${op}" on ${path} takes no value`);
}

function walk(definition: SCIMMY.Types.SchemaDefinition, node: unknown, path: string): void {
  if (Array.isArray(node)) {
    try {
      definition.attribute(path);
    } catch {
      throw scimError(400, 'invalidFilter', `unknown attribute "${path}" in filter`);
    }
    const expressions = node.every(Array.isArray) ? (node as unknown[][]) : [node];
    for (const expr of expressions) checkExpression(path, expr);
  } else if (isBranch(node)) {
    for (const [key, value] of Object.entries(node)) {
      walk(definition, value, path === '' ? key : `${path}.${key}`);
    }
  } else {
    throw scimError(400, 'invalidFilter', `malformed filter near "${path}"`);
  }
}

/** Every attribute a filter names must exist in the resource's schema, and every comparison must be complete. */
export function validateFilter(definition: SCIMMY.Types.SchemaDefinition, filter: SCIMMY.Types.Filter): void {
  for (const branch of filter) walk(definition, branch, '');
}

const SIMPLE_EQ = /^\s*(username|externalid|id|displayname|emails\.value)\s+eq\s+"([^"\\]*)"\s*$/i;

/**
 * The filters IdPs send on every push (`userName eq "…"`, `externalId eq "…"`, `displayName eq "…"`), recognised
 * without scimmy's lexer: a plain `attribute eq "value"` (no escapes) means the same in both. Anything else is null.
 */
export function simpleEquality(filter: string): { attribute: string; value: string } | null {
  const m = SIMPLE_EQ.exec(filter);
  if (!m?.[1] || m[2] === undefined) return null;
  return { attribute: m[1].toLowerCase(), value: m[2] };
}

const SIMPLE_USER: Record<string, ScimUserLookup['by']> = { ...USER_KEYS, 'emails.value': 'email' };

export function simpleUserLookup(filter: string): ScimUserLookup | null {
  const eq = simpleEquality(filter);
  const by = eq && SIMPLE_USER[eq.attribute];
  return eq && by ? { by, value: eq.value } : null;
}

export function simpleGroupLookup(filter: string): ScimGroupLookup | null {
  const eq = simpleEquality(filter);
  const by = eq && GROUP_KEYS[eq.attribute];
  return eq && by ? { by, value: eq.value } : null;
}

/** scimmy's matcher re-validates nested expressions and throws a bare TypeError on what its parser let through. */
export function matchFilter<T>(filter: SCIMMY.Types.Filter, resources: T[]): T[] {
  try {
    return filter.match(resources) as T[];
  } catch (err) {
    if (err instanceof SCIMMY.Types.Error) throw err;
    throw scimError(400, 'invalidFilter', `the filter cannot be evaluated: ${(err as Error).message}`);
  }
}

function plan<L>(
  filter: SCIMMY.Types.Filter | undefined,
  pick: (branch: Branch) => { lookup: L; rest: Branch } | undefined,
): FilterPlan<L> {
  if (!filter || filter.length === 0) return {};
  const [branch] = filter;
  // An `or` (several branches) is matched in memory over every resource.
  if (filter.length !== 1 || !isBranch(branch)) return { residual: filter };
  const picked = pick(branch);
  if (!picked) return { residual: filter };
  return {
    lookup: picked.lookup,
    ...(Object.keys(picked.rest).length > 0 && { residual: new SCIMMY.Types.Filter([picked.rest]) }),
  };
}

function pickByKey<B extends string>(branch: Branch, keys: Record<string, B>) {
  for (const [key, expr] of Object.entries(branch)) {
    const by = keys[key.toLowerCase()];
    if (by && isEq(expr)) {
      const rest = { ...branch };
      delete rest[key];
      return { lookup: { by, value: expr[1] }, rest };
    }
  }
  return undefined;
}

export function planUserFilter(filter: SCIMMY.Types.Filter | undefined): FilterPlan<ScimUserLookup> {
  return plan(filter, (branch) => {
    const byKey = pickByKey(branch, USER_KEYS);
    if (byKey) return byKey;
    // `emails.value eq "…"` and `emails[value eq "…"]`
    const emailsKey = Object.keys(branch).find((k) => k.toLowerCase() === 'emails');
    const emails = emailsKey ? branch[emailsKey] : undefined;
    if (!emailsKey || !isBranch(emails)) return undefined;
    const valueKey = Object.keys(emails).find((k) => k.toLowerCase() === 'value');
    const expr = valueKey ? emails[valueKey] : undefined;
    if (!isEq(expr)) return undefined;
    const rest = { ...branch };
    // Other conditions on the same email (its type) must hold for the same value: keep the whole expression.
    if (Object.keys(emails).length === 1) delete rest[emailsKey];
    return { lookup: { by: 'email', value: expr[1] }, rest };
  });
}

export function planGroupFilter(filter: SCIMMY.Types.Filter | undefined): FilterPlan<ScimGroupLookup> {
  return plan(filter, (branch) => pickByKey(branch, GROUP_KEYS));
}
