import { z } from 'zod';
import { normalizeUserKey } from '../../../domain/entitlement.js';
import { historyToCsv, userHistory } from '../../../services/history.js';
import { defineRoute, type ApiRoute } from '../define-route.js';
import type { RouteDeps } from '../deps.js';
import { errorBody, userParams } from '../schemas.js';

const entry = z.looseObject({
  at: z.string(),
  kind: z.string(),
  entitlement: z.string(),
  from: z.string().nullable(),
  to: z.string().nullable(),
  summary: z.string(),
  reason: z.string(),
  approver: z.string().nullable(),
  until: z.string().nullable().describe('temporary until then (an exception); null: permanent'),
  record: z.string().describe('the journal record that proves it'),
});

const historyQuery = z.strictObject({
  format: z.enum(['json', 'csv']).optional(),
  since: z.iso.datetime({ offset: true }).optional().describe('only entries from then on'),
  until: z.iso.datetime({ offset: true }).optional().describe('only entries before then'),
});

/** "What happened to Bob's access this quarter": one user's history from the journal (DESIGN §11). */
export function historyRoutes(deps: RouteDeps): ApiRoute[] {
  return [
    defineRoute({
      method: 'get',
      path: '/users/:user/history',
      operationId: 'userHistory',
      summary: "One user's access history, oldest first: changes, exceptions, approvals, tasks and review decisions",
      description: 'Date, old -> new, what it means, reason and approver, temporary or permanent, the journal record.',
      access: 'viewer',
      params: userParams,
      query: historyQuery,
      responses: {
        200: {
          description: 'the history (format=csv: text/csv)',
          schema: z.object({ user: z.string(), history: z.array(entry) }),
          types: ['application/json', 'text/csv; charset=utf-8'],
        },
        400: { description: 'bad query', schema: errorBody },
      },
      handle: async ({ params, query }) => {
        const user = normalizeUserKey(params.user);
        const history = await userHistory(deps.store, user, {
          ...(query.since && { since: new Date(query.since) }),
          ...(query.until && { until: new Date(query.until) }),
        });
        if (query.format === 'csv') return { body: historyToCsv(history), type: 'text/csv; charset=utf-8' };
        return { body: { user, history } };
      },
    }),
  ];
}
