import { defineRoute, type ApiRoute } from '../define-route.js';
import type { RouteDeps } from '../deps.js';
import { driftItem, errorBody, plan, planQuery, statusReport, whoami } from '../schemas.js';
import { z } from 'zod';

const unauthorized = { description: 'no or unknown token', schema: errorBody };

/** The dashboard's data and the live drift and plan readings. */
export function readRoutes(deps: RouteDeps): ApiRoute[] {
  return [
    defineRoute({
      method: 'get',
      path: '/status',
      operationId: 'getStatus',
      summary: "The dashboard's data",
      description:
        'Recent runs, open drift (a live reading cached for a few seconds; `drift.basis` says where it comes from), ' +
        'held plans, exceptions expiring within 7 days, source health, mapping version and reload state.',
      access: 'viewer',
      responses: { 200: { description: 'status', schema: statusReport }, 401: unauthorized },
      handle: async () => ({ body: await deps.status.report() }),
    }),
    defineRoute({
      method: 'get',
      path: '/whoami',
      operationId: 'whoami',
      summary: 'The role and name the request authenticates as',
      access: 'viewer',
      responses: { 200: { description: 'the caller', schema: whoami }, 401: unauthorized },
      handle: ({ actor }) => ({ body: { role: actor.role, name: actor.name } }),
    }),
    defineRoute({
      method: 'get',
      path: '/drift',
      operationId: 'getDrift',
      summary: 'Manual changes in Heap that the next sync would revert or keep, read live',
      access: 'viewer',
      responses: {
        200: {
          description: 'drift items with the IdP change that would make each permanent',
          schema: z.object({
            drift: z.array(driftItem),
            mappingVersion: z.string(),
            identityVersion: z.string(),
            generatedAt: z.string(),
          }),
        },
        401: unauthorized,
      },
      handle: async ({ signal }) => {
        const preview = await deps.sync.plan({ signal });
        deps.status.remember(preview);
        return {
          body: {
            drift: preview.plan.drift,
            mappingVersion: preview.mapping.version,
            identityVersion: preview.snapshot.version,
            generatedAt: deps.clock.now().toISOString(),
          },
        };
      },
    }),
    defineRoute({
      method: 'get',
      path: '/plan',
      operationId: 'getPlan',
      summary: 'The plan a sync would make now; nothing is written',
      access: 'viewer',
      query: planQuery,
      responses: {
        200: {
          description: 'the plan',
          schema: z.object({
            plan,
            scope: z.array(z.string()).nullable(),
            mappingVersion: z.string(),
            identityVersion: z.string(),
            generatedAt: z.string(),
          }),
        },
        400: { description: 'bad query', schema: errorBody },
        401: unauthorized,
      },
      handle: async ({ query, signal }) => {
        const scope = splitUsers(query.users);
        const preview = await deps.sync.plan({ scope, signal });
        deps.status.remember(preview, { scoped: scope !== null });
        return {
          body: {
            plan: preview.plan,
            scope,
            mappingVersion: preview.mapping.version,
            identityVersion: preview.snapshot.version,
            generatedAt: deps.clock.now().toISOString(),
          },
        };
      },
    }),
  ];
}

function splitUsers(text: string | undefined): string[] | null {
  const users = (text ?? '')
    .split(',')
    .map((u) => u.trim().toLowerCase())
    .filter(Boolean);
  return users.length ? users : null;
}
