import { z } from 'zod';
import { PENDING_TASK_STATUSES } from '../../../domain/task.js';
import { createTaskService } from '../../../services/tasks.js';
import { defineRoute, type ApiRoute } from '../define-route.js';
import type { RouteDeps } from '../deps.js';
import { errorBody, idParams } from '../schemas.js';

const task = z.looseObject({
  id: z.string(),
  user: z.string().describe("the teammate's e-mail, or team:<name> for a Team's project binding"),
  entitlement: z.string(),
  from: z.string().nullable(),
  to: z.string().nullable(),
  enforcement: z.enum(['assisted', 'unobservable']),
  step: z.string().describe("the step in Heap's UI"),
  why: z.string(),
  status: z.enum(['open', 'done', 'verified', 'attested', 'closed']),
  createdAt: z.string(),
  history: z.array(z.looseObject({ at: z.string(), action: z.string(), actor: z.string() })),
});

const tasksQuery = z.strictObject({
  status: z
    .enum(['open', 'done', 'verified', 'attested', 'closed', 'all'])
    .optional()
    .describe('only tasks with this status; all: every task (default: open and done)'),
  user: z.string().min(1).max(320).optional(),
});

const doneBody = z.strictObject({
  note: z.string().max(2000).optional().describe('what was done in Heap, for the audit trail'),
});

/** Assisted changes: what the target cannot write, as steps for a Heap administrator. */
export function taskRoutes(deps: RouteDeps): ApiRoute[] {
  const tasks = createTaskService({ store: deps.store, clock: deps.clock, journal: deps.journal });
  return [
    defineRoute({
      method: 'get',
      path: '/tasks',
      operationId: 'listTasks',
      summary: "Changes the sync cannot write to Heap, as steps in Heap's UI (open and done ones by default)",
      access: 'viewer',
      query: tasksQuery,
      responses: {
        200: { description: 'tasks, oldest first', schema: z.object({ tasks: z.array(task) }) },
        400: { description: 'bad query', schema: errorBody },
      },
      handle: async ({ query }) => {
        const statuses = query.status === 'all' ? undefined : query.status ? [query.status] : PENDING_TASK_STATUSES;
        return {
          body: {
            tasks: await tasks.list({ ...(statuses && { statuses }), ...(query.user && { user: query.user }) }),
          },
        };
      },
    }),
    defineRoute({
      method: 'get',
      path: '/tasks/:id',
      operationId: 'getTask',
      summary: 'One task with its history',
      access: 'viewer',
      params: idParams,
      responses: {
        200: { description: 'the task', schema: task },
        404: { description: 'no such task', schema: errorBody },
      },
      handle: async ({ params }) => ({ body: await tasks.get(params.id) }),
    }),
    defineRoute({
      method: 'post',
      path: '/tasks/:id/done',
      operationId: 'markTaskDone',
      summary: 'Record that a Heap administrator made the change',
      description:
        'Journaled on the task with the caller (the signed-in person or the service account) and the note. The ' +
        'next sync verifies it where Heap shows the entitlement, and records it as attested where it cannot.',
      access: 'admin',
      params: idParams,
      body: doneBody,
      responses: {
        200: { description: 'the task, now done', schema: task },
        400: { description: 'the task is not open', schema: errorBody },
        403: { description: 'viewers cannot mark tasks done', schema: errorBody },
        404: { description: 'no such task', schema: errorBody },
      },
      handle: async ({ params, body, actor }) => {
        const done = await tasks.markDone(params.id, {
          actor: actor.name,
          ...(body.note !== undefined && { note: body.note }),
        });
        deps.status.invalidate();
        return { body: done };
      },
    }),
  ];
}
