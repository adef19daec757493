import { badRequest, type ScimType } from './errors.js';
import { findSchema, type ResourceSchemas } from './schema-defs.js';

/**
 * An attribute reference: `userName`, `name.givenName`, `urn:…:enterprise:2.0:User:manager.value`.
 * `schema` is set for extension attributes only (core attributes may be written with their URN too).
 * `attr` is empty when the path names a whole extension (`urn:…:enterprise:2.0:User`).
 */
export interface AttrPath {
  schema?: string;
  attr: string;
  sub?: string;
}

const NAME = /^[A-Za-z$][\w$-]*$/;

/** Parses an attribute path (RFC 7644 §3.10); names keep their spelling, lookups are case-insensitive. */
export function parseAttrPath(text: string, schemas: ResourceSchemas | undefined, scimType: ScimType): AttrPath {
  let rest = text.trim();
  let schema: string | undefined;
  if (/^urn:/i.test(rest)) {
    const whole = schemas && findSchema(schemas, rest);
    if (whole) {
      if (whole.id === schemas.core.id) throw badRequest(scimType, `"${text}" names a schema, not an attribute`);
      return { schema: whole.id, attr: '' };
    }
    const cut = rest.lastIndexOf(':');
    const found = schemas && findSchema(schemas, rest.slice(0, cut));
    if (!found) throw badRequest(scimType, `unknown schema in attribute path "${text}"`);
    if (found.id !== schemas.core.id) schema = found.id;
    rest = rest.slice(cut + 1);
  }
  const dot = rest.indexOf('.');
  const attr = dot < 0 ? rest : rest.slice(0, dot);
  const sub = dot < 0 ? undefined : rest.slice(dot + 1);
  if (!NAME.test(attr) || (sub !== undefined && !NAME.test(sub))) {
    throw badRequest(scimType, `invalid attribute path "${text}"`);
  }
  return { ...(schema && { schema }), attr, ...(sub !== undefined && { sub }) };
}

export const formatAttrPath = (p: AttrPath): string =>
  `${p.schema ? `${p.schema}:` : ''}${p.attr}${p.sub ? `.${p.sub}` : ''}`;
