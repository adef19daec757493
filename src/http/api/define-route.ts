import type { Request } from 'express';
import type { z } from 'zod';
import type { Role } from '../auth.js';
import { noQuery } from './schemas.js';

export type { Role };

/** Who is calling: the role their token grants, and the name the journal and exceptions record. */
export interface Actor {
  role: Role;
  name: string;
}

export interface Reply {
  status?: number;
  body: unknown;
  /** a content type other than JSON (docs export) */
  type?: string;
  headers?: Record<string, string>;
}

export interface ResponseDoc {
  description: string;
  schema?: z.ZodType;
  /** content types other than application/json */
  types?: string[];
}

type Empty = typeof noQuery;

export interface RouteInput<P extends z.ZodType, Q extends z.ZodType, B extends z.ZodType> {
  params: z.output<P>;
  query: z.output<Q>;
  body: z.output<B>;
  actor: Actor;
  /** aborted when the client goes away (cancels reads, never a run) */
  signal: AbortSignal;
}

export interface RouteSpec<P extends z.ZodType, Q extends z.ZodType, B extends z.ZodType> {
  method: 'get' | 'post' | 'delete';
  /** express-style, relative to /api: `/journal/:id` */
  path: string;
  operationId: string;
  summary: string;
  description?: string;
  /** the least role that may call it: viewers read, admins change */
  access: Role;
  params?: P;
  query?: Q;
  body?: B;
  /** validates the body instead of `body.parse` when one schema cannot give precise errors (unions) */
  parseBody?: (raw: unknown) => z.output<B>;
  responses: Record<number, ResponseDoc>;
  handle(input: RouteInput<P, Q, B>): Promise<Reply> | Reply;
}

/** A route with its types erased: what the router mounts and the OpenAPI document describes. */
export interface ApiRoute {
  method: 'get' | 'post' | 'delete';
  path: string;
  operationId: string;
  summary: string;
  description?: string;
  access: Role;
  params?: z.ZodType;
  query: z.ZodType;
  body?: z.ZodType;
  responses: Record<number, ResponseDoc>;
  run(req: Request, actor: Actor, signal: AbortSignal): Promise<Reply>;
}

/** Declares a route once: the router validates with its schemas, the OpenAPI document is generated from them. */
export function defineRoute<P extends z.ZodType = Empty, Q extends z.ZodType = Empty, B extends z.ZodType = Empty>(
  spec: RouteSpec<P, Q, B>,
): ApiRoute {
  const { handle, parseBody, ...doc } = spec;
  const query = spec.query ?? noQuery;
  return {
    ...doc,
    query,
    async run(req, actor, signal) {
      const params = (spec.params ? spec.params.parse(req.params) : {}) as z.output<P>;
      const parsedQuery = query.parse(req.query ?? {}) as z.output<Q>;
      const raw: unknown = req.body ?? {};
      const body = (parseBody ? parseBody(raw) : spec.body ? spec.body.parse(raw) : {}) as z.output<B>;
      return handle({ params, query: parsedQuery, body, actor, signal });
    },
  };
}

/** `/journal/:id` -> `/journal/{id}` */
export const toOpenApiPath = (path: string): string => path.replace(/:([A-Za-z_]\w*)/g, '{$1}');
