import type { Request, RequestHandler } from 'express';
import SCIMMY from 'scimmy';
import { readBearerToken, tokenMatcher } from '../auth.js';
import { MAX_RESULTS } from './resources.js';
import { scimError, sendScimError } from './scim-errors.js';

export const SCIM_MEDIA_TYPES = ['application/scim+json', 'application/json'];

/**
 * express 5 re-parses `req.query` on every access, so what scimmy-routers writes into it (numeric startIndex and
 * count) is lost. A plain, writable copy keeps it.
 */
export const plainQuery: RequestHandler = (req, _res, next) => {
  Object.defineProperty(req, 'query', {
    value: { ...req.query },
    writable: true,
    configurable: true,
    enumerable: true,
  });
  next();
};

export const SCIM_CONTENT_TYPE = 'application/scim+json; charset=utf-8';

export const scimResponseType: RequestHandler = (_req, res, next) => {
  res.setHeader('Content-Type', SCIM_CONTENT_TYPE);
  next();
};

/** `Content-Length: 0` without chunked encoding: no body (RFC 7644 §3.6's DELETE, as Python requests sends it). */
const hasEmptyBody = (req: Request) =>
  req.headers['transfer-encoding'] === undefined && req.headers['content-length']?.trim() === '0';

/** A body in anything but SCIM or plain JSON is a 415, before it is read; an empty body has no media type. */
export const requireScimMediaType: RequestHandler = (req, res, next) => {
  if (!hasEmptyBody(req) && req.is(SCIM_MEDIA_TYPES) === false) {
    sendScimError(res, 415, null, `request bodies must be ${SCIM_MEDIA_TYPES.join(' or ')}`);
    return;
  }
  next();
};

/** Bearer token compared in constant time; a missing or wrong token is a SCIM 401. */
export function requireScimToken(token: string): RequestHandler {
  const matches = tokenMatcher(token);
  return (req, res, next) => {
    const presented = readBearerToken(req.headers.authorization);
    if (presented === null || !matches(presented)) {
      res.setHeader('WWW-Authenticate', 'Bearer realm="scim"');
      sendScimError(res, 401, null, 'a valid bearer token is required');
      return;
    }
    next();
  };
}

export interface ListParams {
  filter?: string;
  attributes?: string;
  excludedAttributes?: string;
  sortBy?: string;
  descending: boolean;
  startIndex: number;
  count: number;
}

type Params = Map<string, unknown>;

/** Parameter names are matched case-insensitively. */
const paramsOf = (params: Record<string, unknown>): Params =>
  new Map(Object.entries(params).map(([key, value]) => [key.toLowerCase(), value]));

function single(params: Params, name: string): string | undefined {
  const value = params.get(name.toLowerCase());
  if (value === undefined) return undefined;
  if (typeof value === 'number') return String(value);
  if (typeof value !== 'string') throw scimError(400, 'invalidValue', `"${name}" must be given once, as a string`);
  return value;
}

/**
 * `attributes` / `excludedAttributes`: a comma-separated string, or in a `.search` body a JSON array of names
 * (RFC 7644 §3.4.3).
 */
function attributeList(params: Params, name: string): string | undefined {
  const value = params.get(name.toLowerCase());
  if (Array.isArray(value)) {
    if (!value.every((v): v is string => typeof v === 'string' && v.trim() !== '' && !v.includes(','))) {
      throw scimError(400, 'invalidValue', `"${name}" must be a list of attribute names`);
    }
    return value.map((v) => v.trim()).join(',');
  }
  return single(params, name);
}

/** Longest filter accepted, and most comparisons in it: parsing and matching grow with both. */
export const MAX_FILTER_LENGTH = 4096;
export const MAX_FILTER_TERMS = 50;

/**
 * A filter too long or with too many terms is refused before scimmy parses it, so that one request cannot hold
 * the event loop (a 1 MB filter took seconds). Terms are counted outside quoted values.
 */
function boundedFilter(filter: string | undefined): string | undefined {
  if (filter === undefined) return undefined;
  if (filter.length > MAX_FILTER_LENGTH) {
    throw scimError(400, 'invalidFilter', `the filter is longer than ${MAX_FILTER_LENGTH} characters`);
  }
  const unquoted = filter.replace(/"(?:[^"\\]|\\.)*"/g, '""');
  const terms = (unquoted.match(/\b(?:and|or|not)\b|\[/gi)?.length ?? 0) + 1;
  if (terms > MAX_FILTER_TERMS) {
    throw scimError(400, 'invalidFilter', `the filter has more than ${MAX_FILTER_TERMS} terms`);
  }
  return filter;
}

function integer(params: Params, name: string): number | undefined {
  const text = single(params, name);
  if (text === undefined) return undefined;
  if (!/^\s*[-+]?\d{1,15}\s*$/.test(text)) throw scimError(400, 'invalidValue', `"${name}" must be an integer`);
  return Number(text);
}

/**
 * Query parameters (or a `.search` body) of a list request. RFC 7644 §3.4.2.4: startIndex below 1 means 1, a
 * negative count means 0; count is capped at `filter.maxResults`.
 */
export function readListParams(source: Record<string, unknown>): ListParams {
  const params = paramsOf(source);
  const filter = boundedFilter(single(params, 'filter'));
  const attributes = attributeList(params, 'attributes');
  const excludedAttributes = attributeList(params, 'excludedAttributes');
  const sortBy = single(params, 'sortBy');
  const sortOrder = single(params, 'sortOrder');
  if (sortOrder !== undefined && !/^(ascending|descending)$/i.test(sortOrder)) {
    throw scimError(400, 'invalidValue', 'sortOrder must be "ascending" or "descending"');
  }
  const startIndex = Math.max(1, integer(params, 'startIndex') ?? 1);
  const count = Math.min(MAX_RESULTS, Math.max(0, integer(params, 'count') ?? MAX_RESULTS));
  return {
    ...(filter !== undefined && { filter }),
    ...(attributes !== undefined && { attributes }),
    ...(excludedAttributes !== undefined && { excludedAttributes }),
    ...(sortBy !== undefined && sortBy.trim() !== '' && { sortBy: sortBy.trim() }),
    descending: sortOrder?.toLowerCase() === 'descending',
    startIndex,
    count,
  };
}

/** `attributes` / `excludedAttributes` of a single-resource request. */
export function readAttributeParams(source: Record<string, unknown>): {
  attributes?: string;
  excludedAttributes?: string;
} {
  const params = paramsOf(source);
  const attributes = single(params, 'attributes');
  const excludedAttributes = single(params, 'excludedAttributes');
  return {
    ...(attributes !== undefined && { attributes }),
    ...(excludedAttributes !== undefined && { excludedAttributes }),
  };
}

/** Whether a Group response includes members, so large member lists are not read for nothing. */
export function wantsMembers(params: { attributes?: string; excludedAttributes?: string }): boolean {
  const names = (list: string) => list.split(',').map((a) => a.trim().toLowerCase());
  if (params.attributes !== undefined) return names(params.attributes).some((a) => a.startsWith('members'));
  if (params.excludedAttributes !== undefined) return !names(params.excludedAttributes).includes('members');
  return true;
}

/**
 * `excludedAttributes` naming only top-level attributes (Entra's `excludedAttributes=members`) can be applied by
 * dropping keys from a rendered resource; returns those names (lower case), or null when scimmy must filter.
 */
export function simpleExclusions(params: { attributes?: string; excludedAttributes?: string }): Set<string> | null {
  if (params.attributes !== undefined || params.excludedAttributes === undefined) return null;
  const names = params.excludedAttributes.split(',').map((a) => a.trim());
  if (names.some((n) => !/^[A-Za-z][\w$-]*$/.test(n))) return null;
  return new Set(names.map((n) => n.toLowerCase()));
}

/** A copy without the excluded attributes; `id` and `schemas` are always returned. */
export function dropAttributes<T extends Record<string, unknown>>(resource: T, excluded: Set<string>): T {
  const out: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(resource)) {
    const name = key.toLowerCase();
    if (name === 'id' || name === 'schemas' || !excluded.has(name)) out[key] = value;
  }
  return out as T;
}

/** scimmy's constructors throw a bare TypeError on some malformed filters; that is still the client's mistake. */
export function parseScimParams<T>(build: () => T): T {
  try {
    return build();
  } catch (err) {
    if (err instanceof SCIMMY.Types.Error) throw err;
    throw scimError(400, 'invalidFilter', `invalid filter or attribute list: ${(err as Error).message}`);
  }
}
