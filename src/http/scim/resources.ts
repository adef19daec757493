import SCIMMY from 'scimmy';
import type { ScimChange } from '../../sources/scim/change.js';
import { type ScimContext, expectedVersionOf } from './context.js';
import { queryGroups, queryUsers } from './list-query.js';
import { memberIdsOf, toScimGroup, toScimUser, toStoredAttributes, type ScimResourceObject } from './records.js';
import { scimError, toScimmyError } from './scim-errors.js';

/** The most resources one list response holds (ServiceProviderConfig `filter.maxResults`). */
export const MAX_RESULTS = 200;

const BEARER_SCHEME = {
  type: 'oauthbearertoken',
  name: 'OAuth Bearer Token',
  description: 'Authentication with the bearer token configured in SCIM_TOKEN',
  specUri: 'https://datatracker.ietf.org/doc/html/rfc6750',
  primary: true,
};

function contextOf(ctx: unknown): ScimContext {
  if (typeof ctx !== 'object' || ctx === null || !('repository' in ctx)) {
    throw scimError(500, null, 'internal error');
  }
  return ctx as ScimContext;
}

/** Runs a handler body; whatever it throws leaves as a SCIM error scimmy will not rewrite into a 404. */
async function guard<T>(rawCtx: unknown, body: (ctx: ScimContext) => Promise<T>): Promise<T> {
  const ctx = contextOf(rawCtx);
  try {
    return await body(ctx);
  } catch (err) {
    throw toScimmyError(err, {
      ...(ctx.logger && { logger: ctx.logger }),
      preconditionGiven: typeof ctx.ifMatch === 'number',
    });
  }
}

function checkPrecondition(ctx: ScimContext, version: number): void {
  if (typeof ctx.ifMatch === 'number' && ctx.ifMatch !== version && ctx.operation !== 'read') {
    throw scimError(412, null, 'the resource was modified: If-Match does not match its current version');
  }
}

const union = (...lists: string[][]) => [...new Set(lists.flat())].sort();

interface ResourceArg {
  id?: string;
  filter?: SCIMMY.Types.Filter;
}

const userHandlers = {
  egress: (resource: ResourceArg, rawCtx: unknown) =>
    guard(rawCtx, async (ctx): Promise<ScimResourceObject | ScimResourceObject[]> => {
      if (resource.id === undefined) {
        const request = { ...(resource.filter && { filter: resource.filter }), descending: false };
        return (await queryUsers(ctx, request)).resources;
      }
      const [found] = (await ctx.repository.listUsersWithGroups({ lookup: { by: 'id', value: resource.id } })).items;
      if (!found) throw scimError(404, null, `User ${resource.id} not found`);
      checkPrecondition(ctx, found.user.version);
      ctx.readVersion = found.user.version;
      return toScimUser(found.user, found.groups, ctx.baseUri);
    }),
  ingress: (resource: ResourceArg, instance: unknown, rawCtx: unknown) =>
    guard(rawCtx, async (ctx): Promise<ScimResourceObject> => {
      const attributes = toStoredAttributes(instance);
      if (resource.id === undefined) {
        const user = await ctx.repository.createUser(attributes);
        ctx.changes.push({ reason: 'user-created', users: [user.id], groups: [] });
        return toScimUser(user, [], ctx.baseUri);
      }
      const expectedVersion = expectedVersionOf(ctx);
      const result = await ctx.repository.replaceUser(
        resource.id,
        attributes,
        expectedVersion === undefined ? {} : { expectedVersion },
      );
      if (!result) throw scimError(404, null, `User ${resource.id} not found`);
      const groups = await ctx.repository.groupsOfUser(resource.id);
      if (result.changed) {
        ctx.changes.push({ reason: 'user-updated', users: [resource.id], groups: groups.map((g) => g.id) });
      }
      return toScimUser(result.user, groups, ctx.baseUri);
    }),
  degress: (resource: ResourceArg, rawCtx: unknown) =>
    guard(rawCtx, async (ctx): Promise<void> => {
      const id = resource.id ?? '';
      const result = await ctx.repository.deleteUser(
        id,
        typeof ctx.ifMatch === 'number' ? { expectedVersion: ctx.ifMatch } : {},
      );
      if (!result) throw scimError(404, null, `User ${id} not found`);
      ctx.changes.push({ reason: 'user-deleted', users: [id], groups: result.groups });
    }),
};

const groupHandlers = {
  egress: (resource: ResourceArg, rawCtx: unknown) =>
    guard(rawCtx, async (ctx): Promise<ScimResourceObject | ScimResourceObject[]> => {
      if (resource.id === undefined) {
        const request = { ...(resource.filter && { filter: resource.filter }), descending: false };
        return (await queryGroups(ctx, request)).resources;
      }
      const lookup = { lookup: { by: 'id', value: resource.id } as const };
      const withMembers = ctx.withMembers || ctx.operation === 'patch';
      const [found] = withMembers
        ? (await ctx.repository.listGroupsWithMembers(lookup)).items
        : (await ctx.repository.listGroups(lookup)).items.map((group) => ({ group, members: null }));
      if (!found) throw scimError(404, null, `Group ${resource.id} not found`);
      checkPrecondition(ctx, found.group.version);
      ctx.readVersion = found.group.version;
      return toScimGroup(found.group, found.members, ctx.baseUri);
    }),
  ingress: (resource: ResourceArg, instance: unknown, rawCtx: unknown) =>
    guard(rawCtx, async (ctx): Promise<ScimResourceObject> => {
      const attributes = toStoredAttributes(instance);
      const members = memberIdsOf(instance);
      const expectedVersion = expectedVersionOf(ctx);
      const write =
        resource.id === undefined
          ? await ctx.repository.createGroup(attributes, members)
          : await ctx.repository.replaceGroup(
              resource.id,
              attributes,
              members,
              expectedVersion === undefined ? {} : { expectedVersion },
            );
      if (!write) throw scimError(404, null, `Group ${resource.id ?? ''} not found`);
      const { group } = write;
      if (write.changed) {
        const change: ScimChange =
          group.displayName !== write.previousDisplayName
            ? { reason: 'group-renamed', users: union(write.members, write.removed), groups: [group.id] }
            : { reason: 'group-changed', users: union(write.added, write.removed), groups: [group.id] };
        ctx.changes.push(change);
      }
      const current = ctx.withMembers ? ((await ctx.repository.membersOf([group.id])).get(group.id) ?? []) : null;
      return toScimGroup(group, current, ctx.baseUri);
    }),
  degress: (resource: ResourceArg, rawCtx: unknown) =>
    guard(rawCtx, async (ctx): Promise<void> => {
      const id = resource.id ?? '';
      const result = await ctx.repository.deleteGroup(
        id,
        typeof ctx.ifMatch === 'number' ? { expectedVersion: ctx.ifMatch } : {},
      );
      if (!result) throw scimError(404, null, `Group ${id} not found`);
      ctx.changes.push({ reason: 'group-deleted', users: union(result.members), groups: [id] });
    }),
};

/** The ingress handlers scimmy calls from Resource.write; the router calls them itself on its direct write path. */
export const ingressOf = {
  Users: userHandlers.ingress,
  Groups: groupHandlers.ingress,
};

/**
 * Declares Users (with the Enterprise User extension) and Groups to scimmy's process-global registry, once, and
 * fixes the schema traps in our layer: `schemas` is always returned (scimmy drops it under `attributes=`), and
 * multi-valued `type` sub-attributes accept any value (scimmy's empty canonical list for `roles.type` rejects all).
 * The handlers find their repository in the per-request context, so several routers can share the registry.
 */
export function declareScimResources(): void {
  if (SCIMMY.Resources.declared(SCIMMY.Resources.User)) return;
  const user = SCIMMY.Schemas.User.definition;
  for (const definition of [user, SCIMMY.Schemas.Group.definition, SCIMMY.Schemas.EnterpriseUser.definition]) {
    definition.attribute('schemas').config.returned = 'always';
  }
  for (const name of [
    'emails',
    'phoneNumbers',
    'ims',
    'photos',
    'addresses',
    'entitlements',
    'roles',
    'x509Certificates',
  ]) {
    user.attribute(`${name}.type`).config.canonicalValues = false;
  }
  SCIMMY.Resources.declare(SCIMMY.Resources.User, {
    ...userHandlers,
    extensions: [{ schema: SCIMMY.Schemas.EnterpriseUser, required: false }],
  });
  SCIMMY.Resources.declare(SCIMMY.Resources.Group, groupHandlers);
}

/** ServiceProviderConfig as implemented here; call after `new SCIMMYRouters()`, which overwrites it. */
export function configureServiceProvider(): void {
  SCIMMY.Config.set({
    patch: true,
    filter: { supported: true, maxResults: MAX_RESULTS },
    sort: true,
    etag: true,
    bulk: false,
    changePassword: false,
    authenticationSchemes: [],
  });
  SCIMMY.Config.set({ authenticationSchemes: [BEARER_SCHEME] });
}
