import type { ErrorRequestHandler, RequestHandler } from 'express';
import type { Logger } from 'pino';
import { ZodError } from 'zod';
import {
  BadRequestError,
  ConfigError,
  MappingError,
  NotFoundError,
  NotPermittedError,
  RunInProgressError,
  UpstreamError,
} from '../domain/errors.js';

/** No or a wrong token. */
export class UnauthorizedError extends Error {
  constructor(message = 'a valid bearer token is required') {
    super(message);
    this.name = 'UnauthorizedError';
  }
}

/** A valid token whose role may not do this (a viewer writing). */
export class ForbiddenError extends Error {
  constructor(message = 'this token may only read') {
    super(message);
    this.name = 'ForbiddenError';
  }
}

/**
 * An error as it may be logged: body-parser attaches the raw request body to its errors (`err.body`), and a
 * request body never goes to the log.
 */
export function loggableError(err: unknown): unknown {
  if (!(err instanceof Error) || !('body' in err)) return err;
  const { body: _body, ...rest } = err as Error & Record<string, unknown>;
  // message and stack are own, non-enumerable properties of an Error: copy them explicitly.
  return Object.assign(Object.create(Object.getPrototypeOf(err) as object) as Error, rest, {
    message: err.message,
    stack: err.stack,
  });
}

interface Mapped {
  status: number;
  body: Record<string, unknown>;
  headers?: Record<string, string>;
}

interface HttpishError {
  status?: unknown;
  statusCode?: unknown;
  expose?: unknown;
  type?: unknown;
  message?: unknown;
}

/** Known errors to status and body; undefined for anything else (a generic, logged 500). */
export function mapError(err: unknown): Mapped | undefined {
  if (err instanceof NotPermittedError) return { status: 403, body: { error: err.message } };
  if (err instanceof BadRequestError) {
    return { status: 400, body: { error: err.message, ...(err.details !== undefined && { details: err.details }) } };
  }
  if (err instanceof ZodError) {
    return {
      status: 400,
      body: {
        error: 'invalid request',
        issues: err.issues.map((i) => ({ path: i.path.join('.'), code: i.code, message: i.message })),
      },
    };
  }
  if (err instanceof UnauthorizedError) {
    return { status: 401, body: { error: err.message }, headers: { 'WWW-Authenticate': 'Bearer' } };
  }
  if (err instanceof ForbiddenError) return { status: 403, body: { error: err.message } };
  if (err instanceof NotFoundError) return { status: 404, body: { error: err.message } };
  if (err instanceof RunInProgressError) return { status: 409, body: { error: err.message } };
  // The request was understood but the configuration or mapping it needs is invalid.
  if (err instanceof MappingError) return { status: 422, body: { error: 'invalid mapping', issues: err.issues } };
  if (err instanceof ConfigError)
    return { status: 422, body: { error: 'invalid configuration', problems: err.problems } };
  if (err instanceof UpstreamError) {
    return { status: 502, body: { error: err.message, vendor: err.vendor, retryable: err.retryable } };
  }
  const e = (typeof err === 'object' && err !== null ? err : {}) as HttpishError;
  const status = Number(e.status ?? e.statusCode);
  // body-parser and http-errors: client errors whose message is meant to be shown
  if (status >= 400 && status < 500 && e.expose === true) {
    return { status, body: { error: typeof e.message === 'string' ? e.message : 'bad request' } };
  }
  return undefined;
}

/**
 * The one error boundary for non-SCIM routes: typed errors to their status, everything else logged and answered
 * with a generic 500 that names the request id, never the error.
 */
export function errorBoundary(logger: Logger): ErrorRequestHandler {
  return (err: unknown, req, res, next) => {
    if (res.headersSent) {
      logger.error({ err: loggableError(err), reqId: req.id }, 'request failed after the response started');
      // A complete response stays as it is; a partial one can only be cut (express closes the connection).
      if (!res.writableEnded) next(err);
      return;
    }
    const mapped = mapError(err);
    if (mapped) {
      if (mapped.status >= 500) logger.warn({ err: loggableError(err), reqId: req.id }, 'upstream failure');
      res
        .status(mapped.status)
        .set(mapped.headers ?? {})
        .json({ ...mapped.body, requestId: req.id });
      return;
    }
    logger.error({ err: loggableError(err), reqId: req.id }, 'request failed');
    res.status(500).json({ error: 'internal error', requestId: req.id });
  };
}

export const notFoundHandler: RequestHandler = (req, res) => {
  res.status(404).json({ error: `no route for ${req.method} ${req.path}`, requestId: req.id });
};
