import type { ErrorRequestHandler, Response } from 'express';
import type { Logger } from 'pino';
import { BadRequestError, NotFoundError } from '../../domain/errors.js';

export class ConflictError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ConflictError';
  }
}

export interface ApiErrorBody {
  error: string;
  details?: unknown;
}

export const sendApiError = (res: Response, status: number, error: string, details?: unknown): void => {
  res.status(status).json({ error, ...(details !== undefined && { details }) } satisfies ApiErrorBody);
};

/** The admin API's one error boundary: known errors to their status, anything else a logged, generic 500. */
export function apiErrorHandler(logger?: Logger): ErrorRequestHandler {
  return (err: unknown, req, res, _next) => {
    if (err instanceof BadRequestError) return sendApiError(res, 400, err.message, err.details);
    if (err instanceof NotFoundError) return sendApiError(res, 404, err.message);
    if (err instanceof ConflictError) return sendApiError(res, 409, err.message);
    const http = (typeof err === 'object' && err !== null ? err : {}) as {
      type?: string;
      status?: number;
      expose?: boolean;
    };
    if (http.type === 'entity.parse.failed') return sendApiError(res, 400, 'the request body is not valid JSON');
    if (http.expose && http.status && http.status >= 400 && http.status < 500) {
      return sendApiError(
        res,
        http.status,
        http.type === 'entity.too.large' ? 'the request body is too large' : 'bad request',
      );
    }
    logger?.error(
      { err: { message: (err as Error)?.message, stack: (err as Error)?.stack }, path: req.path },
      'stand-in API failed',
    );
    sendApiError(res, 500, 'internal error');
  };
}
