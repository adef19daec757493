import { z } from 'zod';
import { NotFoundError } from '../../../domain/errors.js';
import { defineRoute, type ApiRoute } from '../define-route.js';
import type { RouteDeps } from '../deps.js';
import { errorBody, idParams, journalQuery, journalRecord, journalSummary } from '../schemas.js';

/** The tamper-evident journal: one record per run. */
export function journalRoutes(deps: RouteDeps): ApiRoute[] {
  return [
    defineRoute({
      method: 'get',
      path: '/journal',
      operationId: 'listJournal',
      summary: 'Runs, newest first',
      description: 'Page with `before`: pass the `next` of the previous page.',
      access: 'viewer',
      query: journalQuery,
      responses: {
        200: {
          description: 'a page of runs',
          schema: z.object({ runs: z.array(journalSummary), next: z.number().int().nullable() }),
        },
        400: { description: 'bad query', schema: errorBody },
      },
      handle: async ({ query }) => {
        const runs = await deps.store.listJournal({
          limit: query.limit,
          ...(query.before !== undefined && { beforeSequence: query.before }),
        });
        const last = runs.at(-1);
        return { body: { runs, next: runs.length === query.limit && last ? last.sequence : null } };
      },
    }),
    // Declared before /journal/:id so "verify" is not taken for an id.
    defineRoute({
      method: 'get',
      path: '/journal/verify',
      operationId: 'verifyJournal',
      summary: 'Check the hash chain of the whole journal',
      description: 'Answers 200 either way; `ok: false` names the first record that does not match.',
      access: 'viewer',
      responses: {
        200: {
          description: 'the verdict',
          schema: z.object({
            ok: z.boolean(),
            records: z.number().int(),
            firstBad: z.object({ id: z.string(), sequence: z.number().int(), problem: z.string() }).optional(),
          }),
        },
      },
      handle: async () => ({ body: await deps.store.verifyJournal() }),
    }),
    defineRoute({
      method: 'get',
      path: '/journal/:id',
      operationId: 'getJournalRecord',
      summary: 'One run: the state before, the plan, each result and the state after',
      access: 'viewer',
      params: idParams,
      responses: {
        200: { description: 'the record', schema: journalRecord },
        404: { description: 'no such run', schema: errorBody },
      },
      handle: async ({ params }) => {
        const record = await deps.store.getJournal(params.id);
        if (!record) throw new NotFoundError(`no run ${params.id}`);
        return { body: record };
      },
    }),
  ];
}
