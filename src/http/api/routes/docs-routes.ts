import { z } from 'zod';
import { normalizeUserKey } from '../../../domain/entitlement.js';
import { NotFoundError } from '../../../domain/errors.js';
import { explainUser, renderDocs } from '../../../mapping/index.js';
import { enforcementOf } from '../../../ports/access-target.js';
import { readAllSources } from '../../../services/read-sources.js';
import { defineRoute, type ApiRoute } from '../define-route.js';
import type { RouteDeps } from '../deps.js';
import { docsQuery, driftItem, errorBody, userParams } from '../schemas.js';

const DOC_TYPES = {
  md: 'text/markdown; charset=utf-8',
  html: 'text/html; charset=utf-8',
  csv: 'text/csv; charset=utf-8',
  json: 'application/json; charset=utf-8',
} as const;

/** Explanations and the mapping documentation for auditors. */
export function docsRoutes(deps: RouteDeps): ApiRoute[] {
  return [
    defineRoute({
      method: 'get',
      path: '/users/:user/explain',
      operationId: 'explainUser',
      summary: 'Each entitlement of one user: every rule and group that grants it, which one won and why',
      description: 'Also what Heap has now, and the changes and drift a sync would find for this user.',
      access: 'viewer',
      params: userParams,
      responses: {
        200: {
          description: 'the explanation',
          schema: z.looseObject({
            user: z.string(),
            explanation: z.unknown(),
            actual: z.record(z.string(), z.string()).nullable(),
            changes: z.array(z.looseObject({})),
            drift: z.array(driftItem),
          }),
        },
        404: { description: 'neither the identity sources nor Heap know this user', schema: errorBody },
      },
      handle: async ({ params, signal }) => {
        const user = normalizeUserKey(params.user);
        const preview = await deps.sync.plan({ scope: [user], signal });
        const explanation = explainUser(preview.mapping, preview.snapshot, user);
        const teammate = preview.actual.find((t) => normalizeUserKey(t.email) === user) ?? null;
        if (!explanation.found && !teammate)
          throw new NotFoundError(`no user ${user} in the identity sources or in Heap`);
        return {
          body: {
            user,
            explanation,
            actual: teammate?.access ?? null,
            changes: preview.plan.changes.filter((c) => c.user === user),
            drift: preview.plan.drift.filter((d) => d.user === user),
            mappingVersion: preview.mapping.version,
          },
        };
      },
    }),
    defineRoute({
      method: 'get',
      path: '/docs',
      operationId: 'exportDocs',
      summary: 'The mapping as documentation for auditors',
      description:
        'Model and projects by environment, what each group grants, the project × group matrix, modules, policy ' +
        "and guards; with withMembers=true also every user's effective access and its reasons (the access review).",
      access: 'viewer',
      query: docsQuery,
      responses: {
        200: { description: 'the document', types: Object.values(DOC_TYPES) },
        400: { description: 'unknown format', schema: errorBody },
      },
      handle: async ({ query, signal }) => {
        const snapshot = query.withMembers ? await readAllSources(deps.sources, { signal }) : undefined;
        const body = renderDocs(deps.mapping.current(), query.format, {
          generatedAt: deps.clock.now().toISOString(),
          enforcement: enforcementOf(deps.target.capabilities()),
          ...(snapshot && { snapshot, withMembers: true }),
        });
        const headers: Record<string, string> = { 'X-Content-Type-Options': 'nosniff' };
        // The HTML export is a document, not an app: nothing in it may run.
        if (query.format === 'html')
          headers['Content-Security-Policy'] = "default-src 'none'; style-src 'unsafe-inline'";
        return {
          type: DOC_TYPES[query.format],
          headers,
          body: typeof body === 'string' ? body : JSON.stringify(body, null, 2),
        };
      },
    }),
  ];
}
