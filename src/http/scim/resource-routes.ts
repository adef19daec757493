import express, { type Request, type Response } from 'express';
import type { Logger } from 'pino';
import SCIMMY from 'scimmy';
import type { ScimChange } from '../../sources/scim/change.js';
import type { ScimGroupLookup, ScimRepository, ScimUserLookup } from '../../sources/scim/repository.js';
import type { ScimContext } from './context.js';
import { simpleGroupLookup, simpleUserLookup, validateFilter } from './filter-plan.js';
import { createKeyedMutex } from './keyed-mutex.js';
import { queryGroups, queryUsers, type ListRequest, type ListResult } from './list-query.js';
import { parseMemberPatch } from './member-patch.js';
import { normalisePatchBody, normaliseResourceBody } from './normalise.js';
import { etagOf, parseIfMatch, toScimGroup, toScimUser } from './records.js';
import { coerceInbound } from './inbound-coercion.js';
import { ingressOf } from './resources.js';
import {
  dropAttributes,
  parseScimParams,
  readAttributeParams,
  readListParams,
  simpleExclusions,
  wantsMembers,
  type ListParams,
} from './request.js';
import { ScimRetryableConflict, scimError, toScimmyError } from './scim-errors.js';

const ID_PATTERN = /^[\w.~-]{1,200}$/;

export const LIST_RESPONSE_SCHEMA = 'urn:ietf:params:scim:api:messages:2.0:ListResponse';

/** Attempts of a PATCH that lost a race with a write from another process before it gives up with a 409. */
const PATCH_ATTEMPTS = 8;

export interface ResourceRouteDeps {
  repository: ScimRepository;
  baseUri: string;
  logger?: Logger;
  emit: (changes: ScimChange[]) => void;
}

type AttributeParams = { attributes?: string; excludedAttributes?: string };
type Shaped = Record<string, unknown> & { id?: unknown; meta?: Record<string, unknown> };

/** The part of scimmy's resource classes used here (their own typings do not take a params-only call). */
interface ScimmyResource {
  filter?: SCIMMY.Types.Filter;
  attributes?: SCIMMY.Types.Filter;
  read(ctx?: unknown): Promise<unknown>;
  write(instance: unknown, ctx?: unknown): Promise<unknown>;
  patch(message: unknown, ctx?: unknown): Promise<unknown>;
  dispose(ctx?: unknown): Promise<void>;
}
type ScimmyResourceClass = new (
  idOrParams?: string | Record<string, string>,
  params?: Record<string, string>,
) => ScimmyResource;

interface Kind {
  endpoint: 'Users' | 'Groups';
  Resource: ScimmyResourceClass;
  definition: SCIMMY.Types.SchemaDefinition;
  shape: (resource: Record<string, unknown>, basepath: string, attributes?: SCIMMY.Types.Filter) => Shaped;
  query: (ctx: ScimContext, request: ListRequest<ScimUserLookup | ScimGroupLookup>) => Promise<ListResult>;
  simpleLookup: (filter: string) => ScimUserLookup | ScimGroupLookup | null;
  /** the stored resource as final SCIM JSON (one read), or null when there is none */
  render: (ctx: ScimContext, id: string) => Promise<Shaped | null>;
}

const KINDS: Record<'Users' | 'Groups', () => Kind> = {
  Users: () => ({
    endpoint: 'Users',
    Resource: SCIMMY.Resources.User as unknown as ScimmyResourceClass,
    definition: SCIMMY.Schemas.User.definition,
    shape: (r, basepath, attributes) => new SCIMMY.Schemas.User(r, 'out', basepath, attributes) as unknown as Shaped,
    query: (ctx, request) => queryUsers(ctx, request as ListRequest<ScimUserLookup>),
    simpleLookup: simpleUserLookup,
    render: async (ctx, id) => {
      const [found] = (await ctx.repository.listUsersWithGroups({ lookup: { by: 'id', value: id } })).items;
      return found ? toScimUser(found.user, found.groups, ctx.baseUri) : null;
    },
  }),
  Groups: () => ({
    endpoint: 'Groups',
    Resource: SCIMMY.Resources.Group as unknown as ScimmyResourceClass,
    definition: SCIMMY.Schemas.Group.definition,
    shape: (r, basepath, attributes) => new SCIMMY.Schemas.Group(r, 'out', basepath, attributes) as unknown as Shaped,
    query: (ctx, request) => queryGroups(ctx, request as ListRequest<ScimGroupLookup>),
    simpleLookup: simpleGroupLookup,
    render: async (ctx, id) => {
      const [found] = (await ctx.repository.listGroupsWithMembers({ lookup: { by: 'id', value: id } })).items;
      return found ? toScimGroup(found.group, found.members, ctx.baseUri) : null;
    },
  }),
};

function sendList(res: Response, startIndex: number, total: number, resources: unknown[]) {
  res.json({
    schemas: [LIST_RESPONSE_SCHEMA],
    totalResults: total,
    startIndex,
    itemsPerPage: resources.length,
    Resources: resources,
  });
}

/** The attribute filter scimmy builds from `attributes` / `excludedAttributes`, validated like its constructor does. */
function attributeFilter(kind: Kind, params: AttributeParams): SCIMMY.Types.Filter | undefined {
  if (params.attributes === undefined && params.excludedAttributes === undefined) return undefined;
  return parseScimParams(() => new kind.Resource(params)).attributes;
}

/**
 * Routes of one resource type (Users or Groups). Lists and `.search` are answered here, with paging and counts in
 * SQL; single-resource operations go through scimmy (schema coercion, PatchOp), and every response is finished
 * here: absolute `meta.location`, `Location` on 201, `ETag`, the request's `attributes` applied after a PATCH.
 */
export function createResourceRoutes(endpoint: 'Users' | 'Groups', deps: ResourceRouteDeps): express.Router {
  const kind = KINDS[endpoint]();
  const basepath = `${deps.baseUri}/${endpoint}`;
  const router = express.Router({ mergeParams: true });
  const withLock = createKeyedMutex();

  const contextFor = (req: Request, operation: ScimContext['operation'], params: AttributeParams = {}): ScimContext => {
    const ifMatch = parseIfMatch(req.get('if-match'));
    return {
      repository: deps.repository,
      baseUri: deps.baseUri,
      ...(deps.logger && { logger: deps.logger }),
      operation,
      ...(ifMatch !== undefined && { ifMatch }),
      withMembers: wantsMembers(params),
      changes: [],
    };
  };

  /** scimmy builds `meta.location` from a process-global base path; ours is per router and absolute. */
  const finish = (res: Response, body: Shaped): Shaped => {
    const id = typeof body.id === 'string' ? body.id : undefined;
    if (body.meta && id !== undefined) body.meta.location = `${basepath}/${id}`;
    const version = body.meta?.version;
    if (typeof version === 'string') res.setHeader('ETag', version);
    return body;
  };

  /**
   * POST and PUT: scimmy's Resource.write (inbound coercion, then the ingress handler), without its outbound
   * coercion when the request names no attributes: the handler already returns the resource in the shape that
   * coercion gives (toScimUser / toScimGroup, pinned by a test), and it was a seventh of a POST's CPU; the inbound
   * coercion is coerceInbound's, which gives what scimmy's schema instance would at a third of its cost. With
   * `attributes` / `excludedAttributes`, or a body that is not an object (scimmy words those errors), scimmy writes.
   */
  const write = async (req: Request, ctx: ScimContext, params: AttributeParams, id?: string): Promise<Shaped> => {
    const resource = parseScimParams(() =>
      id === undefined ? new kind.Resource(params) : new kind.Resource(id, params),
    );
    const body = normaliseResourceBody(kind.definition, req.body) as unknown;
    if (resource.attributes !== undefined || typeof body !== 'object' || body === null || Array.isArray(body)) {
      return (await resource.write(body, ctx)) as Shaped;
    }
    let attributes: Record<string, unknown>;
    try {
      attributes = coerceInbound(kind.definition, body as Record<string, unknown>);
    } catch (err) {
      // as scimmy's write: a value that breaks the schema is a TypeError
      if (err instanceof TypeError) throw new SCIMMY.Types.Error(400, 'invalidValue', err.message);
      throw err;
    }
    // the handler answers every failure of its own as a SCIM error (resources.ts, guard)
    return (await ingressOf[endpoint]({ ...(id !== undefined && { id }) }, attributes, ctx)) as Shaped;
  };

  const list = async (req: Request, res: Response, source: Record<string, unknown>) => {
    const params: ListParams = readListParams(source);
    const ctx = contextFor(req, 'read', params);
    const page = { offset: params.startIndex - 1, limit: params.count };
    const sort = { ...(params.sortBy !== undefined && { sortBy: params.sortBy }), descending: params.descending };
    // The hot path of every push (`userName eq "…"`, Entra's `displayName eq "…"&excludedAttributes=members`):
    // no scimmy parse, render or attribute filter.
    const exclusions = simpleExclusions(params);
    const selectionIsSimple =
      params.attributes === undefined && (params.excludedAttributes === undefined || exclusions);
    const simple = params.filter !== undefined && selectionIsSimple ? kind.simpleLookup(params.filter) : null;
    if (simple) {
      const { total, resources } = await kind.query(ctx, { lookup: simple, page, ...sort });
      sendList(
        res,
        params.startIndex,
        total,
        exclusions ? resources.map((r) => dropAttributes(r, exclusions)) : resources,
      );
      return;
    }
    const parsed = parseScimParams(
      () =>
        new kind.Resource({
          ...(params.filter !== undefined && { filter: params.filter }),
          ...(params.attributes !== undefined && { attributes: params.attributes }),
          ...(params.excludedAttributes !== undefined && { excludedAttributes: params.excludedAttributes }),
        }),
    );
    if (parsed.filter) validateFilter(kind.definition, parsed.filter);
    const request = { ...(parsed.filter && { filter: parsed.filter }), page, ...sort };
    const { total, resources } = await kind.query(ctx, request);
    // Without attribute selection the rendered resources are final (see toScimUser); scimmy filters the rest.
    const attributes = parsed.attributes;
    const shaped = exclusions
      ? resources.map((r) => dropAttributes(r, exclusions))
      : attributes
        ? resources.map((r) => kind.shape(r, basepath, attributes))
        : resources;
    sendList(res, params.startIndex, total, shaped);
  };

  // Our ids are UUIDs; anything scimmy could not even put in its `id eq "…"` filter cannot exist.
  router.param('id', (req, _res, next, id: string) => {
    next(ID_PATTERN.test(id) ? undefined : scimError(404, null, `${kind.endpoint.slice(0, -1)} ${id} not found`));
  });

  router.get('/', (req, res) => list(req, res, req.query as Record<string, unknown>));
  router.post('/.search', async (req, res) => {
    const body: unknown = req.body;
    if (typeof body !== 'object' || body === null || Array.isArray(body)) {
      throw scimError(400, 'invalidSyntax', 'a search request body must be a JSON object');
    }
    await list(req, res, body as Record<string, unknown>);
  });

  router.get('/:id', async (req, res) => {
    const params = readAttributeParams(req.query as Record<string, unknown>);
    const ctx = contextFor(req, 'read', params);
    const id = req.params.id;
    const exclusions = simpleExclusions(params);
    const direct = (params.attributes === undefined && params.excludedAttributes === undefined) || exclusions !== null;
    const rendered = direct ? await kind.render(ctx, id) : undefined;
    if (rendered === null) throw scimError(404, null, `${kind.endpoint.slice(0, -1)} ${id} not found`);
    const read =
      rendered === undefined
        ? await parseScimParams(() => new kind.Resource(id, params)).read(ctx)
        : exclusions
          ? dropAttributes(rendered, exclusions)
          : rendered;
    const body = finish(res, read as Shaped);
    const etag = typeof body.meta?.version === 'string' ? body.meta.version : undefined;
    if (etag !== undefined && req.get('if-none-match') === etag) {
      res.status(304).end();
      return;
    }
    res.json(body);
  });

  router.post('/', async (req, res) => {
    const params = readAttributeParams(req.query as Record<string, unknown>);
    const ctx = contextFor(req, 'create', params);
    const body = finish(res, await write(req, ctx, params));
    if (body.meta && typeof body.meta.location === 'string') res.location(body.meta.location);
    res.status(201).json(body);
    deps.emit(ctx.changes);
  });

  router.put('/:id', async (req, res) => {
    const params = readAttributeParams(req.query as Record<string, unknown>);
    const ctx = contextFor(req, 'replace', params);
    const body = finish(res, await write(req, ctx, params, req.params.id));
    res.json(body);
    deps.emit(ctx.changes);
  });

  router.patch('/:id', async (req, res) => {
    const params = readAttributeParams(req.query as Record<string, unknown>);
    const attributes = attributeFilter(kind, params);
    const message = normalisePatchBody(kind.definition, req.body);
    const id = req.params.id;
    if (endpoint === 'Groups' && attributes === undefined) {
      const change = parseMemberPatch(message);
      if (change) {
        const ctx = contextFor(req, 'patch');
        const ifMatch = typeof ctx.ifMatch === 'number' ? { expectedVersion: ctx.ifMatch } : {};
        let write;
        try {
          write = await deps.repository.changeMembers(id, change, ifMatch);
        } catch (err) {
          throw toScimmyError(err, {
            ...(deps.logger && { logger: deps.logger }),
            preconditionGiven: typeof ctx.ifMatch === 'number',
          });
        }
        if (!write) throw scimError(404, null, `Group ${id} not found`);
        res.setHeader('ETag', etagOf(write.group.version));
        res.status(204).end();
        if (write.changed) {
          deps.emit([{ reason: 'group-changed', users: [...write.added, ...write.removed].sort(), groups: [id] }]);
        }
        return;
      }
    }
    const { patched, ctx } = await withLock(`${endpoint}/${id}`, async () => {
      for (let attempt = 1; ; attempt++) {
        const attemptCtx = contextFor(req, 'patch');
        try {
          // Without `attributes`: scimmy would read the resource through them and write the filtered copy back.
          const resource = parseScimParams(() => new kind.Resource(id));
          const result = (await resource.patch(structuredClone(message), attemptCtx)) as Shaped | undefined;
          return { patched: result, ctx: attemptCtx };
        } catch (err) {
          if (!(err instanceof ScimRetryableConflict) || attempt >= PATCH_ATTEMPTS) throw err;
        }
      }
    });
    if (patched === undefined) {
      res.status(204).end();
    } else {
      res.json(finish(res, attributes ? kind.shape(patched, basepath, attributes) : patched));
    }
    deps.emit(ctx.changes);
  });

  router.delete('/:id', async (req, res) => {
    const ctx = contextFor(req, 'delete');
    await parseScimParams(() => new kind.Resource(req.params.id)).dispose(ctx);
    res.status(204).end();
    deps.emit(ctx.changes);
  });

  return router;
}
