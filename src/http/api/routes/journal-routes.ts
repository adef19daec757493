import { z } from 'zod';
import { NotFoundError } from '../../../domain/errors.js';
import { defineRoute, type ApiRoute } from '../define-route.js';
import type { RouteDeps } from '../deps.js';
import { parseHead } from '../../../services/journal-checkpoints.js';
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
      summary: 'Check the hash chain of the whole journal, and that it still holds the latest checkpoint',
      description:
        'Answers 200 either way; `ok: false` names the first record that does not match, or the pin ' +
        '(latest checkpoint, `expectHead=<sequence>:<hash>`) the chain no longer holds (records were removed).',
      access: 'viewer',
      query: z.object({
        expectHead: z
          .string()
          .regex(/^\d+:[0-9a-fA-F]{64}$/, 'must be <sequence>:<64 hex digits>')
          .optional(),
      }),
      responses: {
        200: {
          description: 'the verdict',
          schema: z.object({
            ok: z.boolean(),
            records: z.number().int(),
            head: z.object({ sequence: z.number().int(), hash: z.string() }).nullable(),
            firstBad: z.object({ id: z.string(), sequence: z.number().int(), problem: z.string() }).optional(),
            pins: z.array(
              z.object({
                source: z.enum(['checkpoint', 'expect-head']),
                sequence: z.number().int().nullable(),
                hash: z.string().nullable(),
                ok: z.boolean(),
                problem: z.string().optional(),
              }),
            ),
          }),
        },
        400: { description: 'bad expectHead', schema: errorBody },
      },
      handle: async ({ query }) => {
        const expectHead = query.expectHead === undefined ? undefined : parseHead(query.expectHead);
        return { body: await deps.journal.verify(expectHead ? { expectHead } : {}) };
      },
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
