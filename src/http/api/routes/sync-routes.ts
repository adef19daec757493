import { defineRoute, type ApiRoute } from '../define-route.js';
import type { RouteDeps } from '../deps.js';
import { errorBody, journalRecord, syncBody } from '../schemas.js';

/** `POST /api/sync`: the one write path every run goes through, triggered by an administrator. */
export function syncRoutes(deps: RouteDeps): ApiRoute[] {
  return [
    defineRoute({
      method: 'post',
      path: '/sync',
      operationId: 'runSync',
      summary: 'Run a sync now (or a dry run, or apply a held plan)',
      description:
        'Runs synchronously and answers 201 with the journal record it wrote (Location: /api/journal/{id}), ' +
        'whatever the run concluded: read `status` (succeeded, partial, failed, held, dry-run). ' +
        '`approve` applies a held plan; `users` limits the run to those users, and with `revertNow` reverts their ' +
        'drift without waiting out policy.revertAfter (the dashboard\'s "Revert now").',
      access: 'admin',
      body: syncBody,
      responses: {
        201: { description: 'the run, as journaled', schema: journalRecord },
        400: { description: 'bad body', schema: errorBody },
        403: { description: 'viewers cannot sync or approve', schema: errorBody },
        404: { description: 'no held plan with that run id', schema: errorBody },
        409: { description: 'another run is in progress', schema: errorBody },
      },
      handle: async ({ body, actor }) => {
        try {
          const { record } = await deps.sync.run({
            trigger: 'api',
            actor: actor.name,
            ...(body.dryRun !== undefined && { dryRun: body.dryRun }),
            ...(body.approve !== undefined && { approve: body.approve }),
            ...(body.users && { scope: body.users.map((u) => u.toLowerCase()) }),
            ...(body.revertNow && { revertNow: true }),
          });
          return { status: 201, headers: { Location: `/api/journal/${encodeURIComponent(record.id)}` }, body: record };
        } finally {
          deps.status.invalidate();
        }
      },
    }),
  ];
}
