import { z } from 'zod';
import { createActivityService } from '../../../services/activity.js';
import { defineRoute, type ApiRoute } from '../define-route.js';
import type { RouteDeps } from '../deps.js';
import { errorBody } from '../schemas.js';

const activity = z.object({
  at: z.string(),
  actor: z.string().describe("the signed-in person's e-mail, the service account's name, or the CLI's --actor"),
  action: z.string(),
  subject: z.string().nullable(),
  detail: z.string().nullable(),
  ref: z.string().describe('the run, approval, task or exception it comes from'),
});

const activityQuery = z.strictObject({
  limit: z.coerce.number().int().min(1).max(200).optional().describe('at most this many (default 50)'),
});

/** Who did what: the named person or account behind each action, newest first. */
export function activityRoutes(deps: RouteDeps): ApiRoute[] {
  const activities = createActivityService({ store: deps.store });
  return [
    defineRoute({
      method: 'get',
      path: '/activity',
      operationId: 'listActivity',
      summary: 'Who did what: runs started, exceptions made, grants approved or rejected, tasks marked done',
      access: 'viewer',
      query: activityQuery,
      responses: {
        200: { description: 'actions, newest first', schema: z.object({ activity: z.array(activity) }) },
        400: { description: 'bad query', schema: errorBody },
      },
      handle: async ({ query }) => ({
        body: { activity: await activities.list({ ...(query.limit !== undefined && { limit: query.limit }) }) },
      }),
    }),
  ];
}
