import { z } from 'zod';
import { REVIEW_DECISIONS } from '../../../domain/review.js';
import { REVIEW_EXPORT_FORMATS, renderReviewEvidence, reviewEvidence } from '../../../services/review-export.js';
import { defineRoute, type ApiRoute } from '../define-route.js';
import type { RouteDeps } from '../deps.js';
import { errorBody, idParams } from '../schemas.js';

const campaign = z.looseObject({ id: z.string(), status: z.enum(['open', 'closed']), reviewers: z.array(z.string()) });
const item = z.looseObject({ id: z.string(), user: z.string(), entitlement: z.string() });
const campaignWithItems = z.object({ campaign, items: z.array(item) });
const itemParams = z.strictObject({ id: z.string().min(1).max(200), itemId: z.string().min(1).max(50) });
const startBody = z.strictObject({
  reviewers: z.array(z.string().min(3)).min(1),
  project: z.string().min(1).nullable().optional(),
  due: z.string().min(1).optional(),
});
const decideBody = z.strictObject({
  decision: z.enum(REVIEW_DECISIONS as [string, ...string[]]),
  value: z.string().nullable().optional(),
  reason: z.string().min(1),
});
const closeBody = z.strictObject({ default: z.enum(['keep', 'revoke']).optional() });
const exportQuery = z.strictObject({ format: z.enum(REVIEW_EXPORT_FORMATS as [string, ...string[]]).optional() });
const mine = z.strictObject({ mine: z.enum(['true', 'false']).optional() });

const TYPES = { csv: 'text/csv; charset=utf-8', json: 'application/json', html: 'text/html; charset=utf-8' } as const;

/** Access reviews (DESIGN §15): reviewers decide as themselves, never on their own access. */
export function reviewRoutes(deps: RouteDeps): ApiRoute[] {
  const reviews = deps.reviews;
  return [
    defineRoute({
      method: 'get',
      path: '/reviews',
      operationId: 'listReviews',
      summary: 'Every access review campaign, oldest first',
      access: 'viewer',
      responses: { 200: { description: 'campaigns', schema: z.object({ campaigns: z.array(campaign) }) } },
      handle: async () => ({ body: { campaigns: await reviews.list() } }),
    }),
    defineRoute({
      method: 'post',
      path: '/reviews',
      operationId: 'startReview',
      summary: 'Start a campaign from what Heap has now (reads the sources and Heap)',
      access: 'admin',
      body: startBody,
      responses: {
        201: { description: 'the campaign and its items', schema: campaignWithItems },
        400: { description: 'no reviewers, bad due date, unknown project', schema: errorBody },
      },
      handle: async ({ body, actor }) => {
        const started = await reviews.start({
          reviewers: body.reviewers,
          actor: actor.name,
          ...(body.due !== undefined && { due: body.due }),
          project: body.project ?? null,
        });
        return {
          status: 201,
          headers: { Location: `/api/reviews/${encodeURIComponent(started.campaign.id)}` },
          body: started,
        };
      },
    }),
    defineRoute({
      method: 'get',
      path: '/reviews/:id',
      operationId: 'getReview',
      summary: "A campaign and its items (mine=true: the caller's items to decide, never their own access)",
      access: 'viewer',
      params: idParams,
      query: mine,
      responses: {
        200: { description: 'the campaign and its items', schema: campaignWithItems },
        404: { description: 'no such campaign', schema: errorBody },
      },
      handle: async ({ params, query, actor }) => {
        const shown = await reviews.show(params.id);
        if (query.mine !== 'true') return { body: shown };
        const me = actor.name.toLowerCase();
        const reviewer = shown.campaign.reviewers.includes(me);
        return { body: { ...shown, items: reviewer ? shown.items.filter((i) => i.user !== me) : [] } };
      },
    }),
    defineRoute({
      method: 'post',
      path: '/reviews/:id/items/:itemId/decision',
      operationId: 'decideReviewItem',
      summary: 'Decide one item as the calling reviewer: keep, revoke, reduce (value) or make-permanent',
      access: 'approver',
      params: itemParams,
      body: decideBody,
      responses: {
        200: { description: 'the decided item', schema: item },
        400: { description: 'not a reviewer, own access, no justification, bad value, closed', schema: errorBody },
        404: { description: 'no such campaign or item', schema: errorBody },
      },
      handle: async ({ params, body, actor }) => ({
        body: await reviews.decide(params.id, params.itemId, {
          decision: body.decision,
          reason: body.reason,
          actor: actor.name,
          ...(body.value !== undefined && { value: body.value }),
        }),
      }),
    }),
    defineRoute({
      method: 'post',
      path: '/reviews/:id/close',
      operationId: 'closeReview',
      summary: 'Close a campaign and remediate through the sync (undecided items take `default`, keep unless said)',
      access: 'admin',
      params: idParams,
      body: closeBody,
      responses: {
        200: { description: 'the closed campaign and its items', schema: campaignWithItems },
        400: { description: 'already closed', schema: errorBody },
        404: { description: 'no such campaign', schema: errorBody },
      },
      handle: async ({ params, body, actor }) => {
        const closed = await reviews.close(params.id, {
          actor: actor.name,
          ...(body.default !== undefined && { defaultDecision: body.default }),
        });
        deps.status.invalidate();
        return { body: closed };
      },
    }),
    defineRoute({
      method: 'get',
      path: '/reviews/:id/export',
      operationId: 'exportReview',
      summary: 'The evidence pack: csv, json or a printable html page, with the journal range and head',
      access: 'viewer',
      params: idParams,
      query: exportQuery,
      responses: {
        200: { description: 'the evidence', types: Object.values(TYPES) },
        404: { description: 'no such campaign', schema: errorBody },
      },
      handle: async ({ params, query }) => {
        const format = (query.format ?? 'json') as keyof typeof TYPES;
        const text = renderReviewEvidence(await reviewEvidence(deps.store, params.id, deps.clock.now()), format);
        return { body: text, type: TYPES[format] };
      },
    }),
  ];
}
