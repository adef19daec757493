import type { Logger } from 'pino';
import type { ScimChange } from '../../sources/scim/change.js';
import type { ScimRepository } from '../../sources/scim/repository.js';

/**
 * Per-request state handed to scimmy's handlers as their `ctx` argument. scimmy's handlers are process-global, so
 * everything a request needs (which repository, which base URI) travels here, never in module state.
 */
export interface ScimContext {
  repository: ScimRepository;
  baseUri: string;
  logger?: Logger;
  operation: 'read' | 'create' | 'replace' | 'patch' | 'delete';
  /** version from an If-Match header ('*' = any) */
  ifMatch?: number | '*';
  /** version the PATCH read, so its write fails if another write came in between */
  readVersion?: number;
  /** whether list/get responses need group members (skipped for `excludedAttributes=members`) */
  withMembers: boolean;
  changes: ScimChange[];
}

export const expectedVersionOf = (ctx: ScimContext): number | undefined =>
  ctx.operation === 'patch' ? ctx.readVersion : typeof ctx.ifMatch === 'number' ? ctx.ifMatch : undefined;
