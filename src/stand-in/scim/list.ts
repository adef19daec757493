import type { Request } from 'express';
import { badRequest } from './errors.js';
import { parseFilter, type ParsedFilter, type ResourceKind } from './engine.js';
import type { JsonObject } from './json.js';
import { parseProjection, type Projection } from './projection.js';
import { LIST_SCHEMA, type ResourceSchemas } from './schema-defs.js';

export const DEFAULT_COUNT = 100;
export const MAX_COUNT = 1000;

export interface ListParams {
  startIndex: number;
  count: number;
  filter: ParsedFilter | null;
  projection: Projection | null;
}

export type Params = Record<string, unknown>;

/** A query or .search parameter by name, case-insensitively; a repeated parameter counts once (the first). */
export function param(params: Params, name: string): string | undefined {
  const key = Object.keys(params).find((k) => k.toLowerCase() === name.toLowerCase());
  const raw = key === undefined ? undefined : params[key];
  const value = Array.isArray(raw) ? raw[0] : raw;
  if (value === undefined || value === null) return undefined;
  if (typeof value === 'number') return String(value);
  if (typeof value !== 'string') throw badRequest('invalidValue', `parameter "${name}" must be a string`);
  return value;
}

const integer = (params: Params, name: string): number | undefined => {
  const text = param(params, name);
  if (text === undefined || text.trim() === '') return undefined;
  if (!/^-?\d+$/.test(text.trim())) throw badRequest('invalidValue', `parameter "${name}" must be an integer`);
  return Number(text);
};

/** RFC 7644 §3.4.2.4: startIndex below 1 means 1, a negative count means 0, and count is capped. */
export function readListParams(params: Params, schemas: ResourceSchemas, kind: ResourceKind): ListParams {
  const filterText = param(params, 'filter');
  return {
    startIndex: Math.max(1, integer(params, 'startIndex') ?? 1),
    count: Math.min(MAX_COUNT, Math.max(0, integer(params, 'count') ?? DEFAULT_COUNT)),
    filter: filterText !== undefined && filterText.trim() ? parseFilter(filterText, kind) : null,
    projection: readProjection(params, schemas),
  };
}

export const readProjection = (params: Params, schemas: ResourceSchemas): Projection | null =>
  parseProjection(param(params, 'attributes'), param(params, 'excludedAttributes'), schemas);

export function listResponse(total: number, startIndex: number, resources: JsonObject[]): JsonObject {
  return {
    schemas: [LIST_SCHEMA],
    totalResults: total,
    itemsPerPage: resources.length,
    startIndex,
    Resources: resources,
  };
}

export const paramsOf = (req: Request): Params => (req.query ?? {}) as Params;
