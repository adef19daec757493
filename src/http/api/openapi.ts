import { z } from 'zod';
import { toOpenApiPath, type ApiRoute } from './define-route.js';

type JsonSchema = Record<string, unknown>;

/**
 * JSON Schema 2020-12 is OpenAPI 3.1's own dialect: zod's output is used as is, minus `$schema`. The input side
 * for responses too: it leaves plain objects open, as the contract promises ("more fields are welcome").
 */
function toSchema(schema: z.ZodType): JsonSchema {
  const { $schema: _drop, ...rest } = z.toJSONSchema(schema, { io: 'input', unrepresentable: 'any' }) as JsonSchema;
  return rest;
}

/** Query and path parameters: one entry per property of the route's object schema. */
function parameters(route: ApiRoute): JsonSchema[] {
  const out: JsonSchema[] = [];
  for (const [where, schema] of [
    ['path', route.params],
    ['query', route.query],
  ] as const) {
    if (!schema) continue;
    const json = toSchema(schema);
    const props = (json.properties ?? {}) as Record<string, JsonSchema>;
    const required = new Set((json.required as string[] | undefined) ?? []);
    for (const [name, prop] of Object.entries(props)) {
      const { description, ...propSchema } = prop;
      out.push({
        name,
        in: where,
        required: where === 'path' || required.has(name),
        ...(description !== undefined && { description }),
        schema: propSchema,
      });
    }
  }
  return out;
}

function operation(route: ApiRoute): JsonSchema {
  const responses: Record<string, JsonSchema> = {};
  for (const [status, doc] of Object.entries(route.responses)) {
    const types = doc.types ?? ['application/json'];
    responses[status] = {
      description: doc.description,
      ...(doc.schema || doc.types
        ? {
            content: Object.fromEntries(
              types.map((t) => [t, doc.schema && t === 'application/json' ? { schema: toSchema(doc.schema) } : {}]),
            ),
          }
        : {}),
    };
  }
  responses['401'] ??= { description: 'no token, or an unknown one' };
  if (route.access === 'admin') responses['403'] ??= { description: 'the viewer token cannot change anything' };
  return {
    operationId: route.operationId,
    summary: route.summary,
    ...(route.description && { description: route.description }),
    'x-required-role': route.access,
    parameters: parameters(route),
    ...(route.body && {
      requestBody: { required: true, content: { 'application/json': { schema: toSchema(route.body) } } },
    }),
    responses,
  };
}

/** The OpenAPI 3.1 document of the admin API, generated from the schemas the router validates with. */
export function buildOpenApiDocument(routes: ApiRoute[], info: { version: string; basePath: string }): JsonSchema {
  const paths: Record<string, Record<string, JsonSchema>> = {};
  for (const route of routes) {
    const path = `${info.basePath}${toOpenApiPath(route.path)}`;
    (paths[path] ??= {})[route.method] = operation(route);
  }
  return {
    openapi: '3.1.0',
    info: {
      title: 'heap-access-sync admin API',
      version: info.version,
      description:
        "A service account's bearer token (ADMIN_TOKEN, VIEWER_TOKEN, server.tokens); each route names the least " +
        'role it needs in x-required-role: viewer reads, approver also decides approvals, admin changes. ' +
        'Client mistakes answer 4xx with `{ error, requestId, issues? }`; never 500.',
    },
    security: [{ bearer: [] }],
    components: { securitySchemes: { bearer: { type: 'http', scheme: 'bearer' } } },
    paths,
  };
}
