import { z } from 'zod';
import { NotFoundError } from '../../../domain/errors.js';
import type { AccessException } from '../../../domain/exception.js';
import { defineRoute, type ApiRoute } from '../define-route.js';
import type { RouteDeps } from '../deps.js';
import {
  directExceptionBody,
  driftExceptionBody,
  errorBody,
  exception,
  exceptionBody,
  exceptionsQuery,
  idParams,
} from '../schemas.js';

/** Approved, time-bound overrides: the seed's "temporary elevation" without the calendar reminder. */
export function exceptionRoutes(deps: RouteDeps): ApiRoute[] {
  const created = (e: AccessException) => {
    deps.status.invalidate();
    return { status: 201, headers: { Location: `/api/exceptions/${encodeURIComponent(e.id)}` }, body: e };
  };
  return [
    defineRoute({
      method: 'get',
      path: '/exceptions',
      operationId: 'listExceptions',
      summary: 'Active exceptions (all of them with all=true)',
      access: 'viewer',
      query: exceptionsQuery,
      responses: {
        200: { description: 'exceptions', schema: z.object({ exceptions: z.array(exception) }) },
        400: { description: 'bad query', schema: errorBody },
      },
      handle: async ({ query }) => ({ body: { exceptions: await deps.exceptions.list({ all: query.all ?? false }) } }),
    }),
    defineRoute({
      method: 'get',
      path: '/exceptions/:id',
      operationId: 'getException',
      summary: 'One exception, active or not',
      access: 'viewer',
      params: idParams,
      responses: {
        200: { description: 'the exception', schema: exception },
        404: { description: 'no such exception', schema: errorBody },
      },
      handle: async ({ params }) => {
        const found = await deps.store.getException(params.id);
        if (!found) throw new NotFoundError(`no exception ${params.id}`);
        return { body: found };
      },
    }),
    defineRoute({
      method: 'post',
      path: '/exceptions',
      operationId: 'createException',
      summary: 'Grant a temporary override, or accept a drift item until it expires',
      description:
        'Either `{ user, entitlement, value, reason, expires }` or `{ fromDrift: { user, entitlement }, reason, ' +
        "expires }`. `approver` is required and must not be the caller (four eyes); only with the mapping's " +
        '`policy.fourEyes: false` does it default to the caller. Applied by the next sync.',
      access: 'admin',
      body: exceptionBody,
      // Checked against the one shape the body means, so a mistake is reported precisely (not "no union matched").
      parseBody: (raw) =>
        raw !== null && typeof raw === 'object' && 'fromDrift' in raw
          ? driftExceptionBody.parse(raw)
          : directExceptionBody.parse(raw),
      responses: {
        201: { description: 'the exception', schema: exception },
        400: {
          description: 'bad body, unknown entitlement or value, overlapping exception, approver missing or the caller',
          schema: errorBody,
        },
        403: { description: 'viewers cannot create exceptions', schema: errorBody },
        404: { description: 'fromDrift names no open drift item', schema: errorBody },
      },
      handle: async ({ body, actor, signal }) => {
        const common = {
          reason: body.reason,
          ...(body.approver !== undefined && { approver: body.approver }),
          expires: body.expires,
          requestedBy: actor.name,
        };
        if (!('fromDrift' in body)) {
          return created(
            await deps.exceptions.add({ ...common, user: body.user, entitlement: body.entitlement, value: body.value }),
          );
        }
        const user = body.fromDrift.user.toLowerCase();
        const { plan } = await deps.sync.plan({ scope: [user], signal });
        const item = plan.drift.find((d) => d.user === user && d.entitlement === body.fromDrift.entitlement);
        if (!item) throw new NotFoundError(`no open drift for ${user} ${body.fromDrift.entitlement}`);
        return created(await deps.exceptions.addFromDrift(item, common));
      },
    }),
    defineRoute({
      method: 'delete',
      path: '/exceptions/:id',
      operationId: 'revokeException',
      summary: 'Revoke an exception now (the next sync applies the mapping again)',
      access: 'admin',
      params: idParams,
      responses: {
        200: { description: 'the revoked exception', schema: exception },
        400: { description: 'already revoked', schema: errorBody },
        403: { description: 'viewers cannot revoke exceptions', schema: errorBody },
        404: { description: 'no such exception', schema: errorBody },
      },
      handle: async ({ params, actor }) => {
        const revoked = await deps.exceptions.revoke(params.id, actor.name);
        deps.status.invalidate();
        return { body: revoked };
      },
    }),
  ];
}
