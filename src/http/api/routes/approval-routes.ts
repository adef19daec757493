import { z } from 'zod';
import { defineRoute, type ApiRoute } from '../define-route.js';
import type { RouteDeps } from '../deps.js';
import { approval, approvalDecisionBody, approvalsQuery, errorBody, idParams } from '../schemas.js';

/** Pending approvals (policy.approvals): grants that wait for an approver other than the requester. */
export function approvalRoutes(deps: RouteDeps): ApiRoute[] {
  return [
    defineRoute({
      method: 'get',
      path: '/approvals',
      operationId: 'listApprovals',
      summary: 'Grants waiting for an approver, and approved ones the next run applies (all of them with all=true)',
      access: 'viewer',
      query: approvalsQuery,
      responses: {
        200: { description: 'approvals, oldest first', schema: z.object({ approvals: z.array(approval) }) },
        400: { description: 'bad query', schema: errorBody },
      },
      handle: async ({ query }) => ({ body: { approvals: await deps.approvals.list({ all: query.all ?? false }) } }),
    }),
    defineRoute({
      method: 'post',
      path: '/approvals/:id',
      operationId: 'decideApproval',
      summary: 'Approve or reject a waiting grant, with a reason; the next run applies an approved one',
      description:
        'The decider is the caller (the signed-in person or the service account). Neither the subject of the grant ' +
        'nor whoever requested it (the exception it comes from) may decide it.',
      access: 'approver',
      params: idParams,
      body: approvalDecisionBody,
      responses: {
        200: { description: 'the decided approval', schema: approval },
        400: { description: 'bad body, or the approval is not pending (decided, expired)', schema: errorBody },
        403: { description: 'a viewer, the subject, or the requester', schema: errorBody },
        404: { description: 'no such approval', schema: errorBody },
      },
      handle: async ({ params, body, actor }) => {
        const decided = await deps.approvals.decide(params.id, { ...body, actor: actor.name });
        deps.status.invalidate();
        return { body: decided };
      },
    }),
  ];
}
