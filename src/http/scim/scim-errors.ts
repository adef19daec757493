import type { ErrorRequestHandler, Response } from 'express';
import type { Logger } from 'pino';
import SCIMMY from 'scimmy';
import { loggableError } from '../errors.js';
import {
  ScimInvalidValueError,
  ScimUniquenessError,
  ScimUnknownMemberError,
  ScimVersionConflictError,
} from '../../sources/scim/errors.js';

export const ERROR_SCHEMA = 'urn:ietf:params:scim:api:messages:2.0:Error';

export interface ScimErrorBody {
  schemas: [typeof ERROR_SCHEMA];
  status: string;
  scimType?: string;
  detail: string;
}

/** A SCIM error scimmy lets through untouched (it is a SCIMError) and that the PATCH handler retries. */
export class ScimRetryableConflict extends SCIMMY.Types.Error {
  constructor(message: string) {
    super(409, '', message);
  }
}

export function scimError(status: number, scimType: string | null, detail: string): SCIMMY.Types.SCIMError {
  return new SCIMMY.Types.Error(status, scimType ?? '', detail);
}

/**
 * Turns what our repository throws into the SCIM error scimmy passes through. Anything unexpected becomes a
 * logged SCIM 500: scimmy would otherwise report it as a 404 ("not found") or, for a TypeError, as a 400.
 */
export function toScimmyError(
  err: unknown,
  options: { logger?: Logger; preconditionGiven: boolean },
): SCIMMY.Types.SCIMError {
  if (err instanceof SCIMMY.Types.Error) return err;
  if (err instanceof ScimUniquenessError) return scimError(409, 'uniqueness', err.message);
  if (err instanceof ScimUnknownMemberError || err instanceof ScimInvalidValueError) {
    return scimError(400, 'invalidValue', err.message);
  }
  if (err instanceof ScimVersionConflictError) {
    return options.preconditionGiven
      ? scimError(412, null, 'the resource was modified: If-Match does not match its current version')
      : new ScimRetryableConflict('the resource was modified concurrently; retry the request');
  }
  options.logger?.error({ err }, 'SCIM handler failed');
  return scimError(500, null, 'internal error');
}

export function errorBody(status: number, scimType: string | null | undefined, detail: string): ScimErrorBody {
  return {
    schemas: [ERROR_SCHEMA],
    status: String(status),
    ...(scimType ? { scimType } : {}),
    detail,
  };
}

export function sendScimError(res: Response, status: number, scimType: string | null | undefined, detail: string) {
  res.status(status).setHeader('Content-Type', 'application/scim+json; charset=utf-8');
  res.json(errorBody(status, scimType, detail));
}

interface HttpishError {
  status?: unknown;
  statusCode?: unknown;
  type?: unknown;
  expose?: unknown;
  message?: unknown;
}

/** The last handler of the SCIM router: every failure leaves as an RFC 7644 error body, never a stack trace. */
export function scimErrorHandler(logger?: Logger): ErrorRequestHandler {
  return (err: unknown, req, res, next) => {
    if (res.headersSent) {
      // scimmy-routers answers its own errors, then passes 5xx on: the response is complete, nothing to add.
      if (res.writableEnded)
        logger?.debug({ err: loggableError(err), reqId: req.id }, 'SCIM error after the response was sent');
      else next(err);
      return;
    }
    if (err instanceof SCIMMY.Types.Error) {
      const status = Number(err.status) || 500;
      if (status >= 500) logger?.error({ err: loggableError(err), reqId: req.id }, 'SCIM request failed');
      sendScimError(res, status, status >= 500 ? null : err.scimType, status >= 500 ? 'internal error' : err.message);
      return;
    }
    const e = (typeof err === 'object' && err !== null ? err : {}) as HttpishError;
    const status = Number(e.status ?? e.statusCode);
    // body-parser and friends: client errors with a safe message
    if (status >= 400 && status < 500 && e.expose !== false) {
      if (e.type === 'entity.too.large') {
        sendScimError(res, 413, null, 'the request body is larger than this service accepts');
      } else if (e.type === 'entity.parse.failed') {
        sendScimError(res, 400, 'invalidSyntax', 'the request body is not valid JSON');
      } else if (status === 415 || e.type === 'charset.unsupported' || e.type === 'encoding.unsupported') {
        sendScimError(res, 415, null, typeof e.message === 'string' ? e.message : 'unsupported media type');
      } else {
        sendScimError(res, status, null, typeof e.message === 'string' ? e.message : 'bad request');
      }
      return;
    }
    logger?.error({ err: loggableError(err), reqId: req.id }, 'SCIM request failed');
    sendScimError(res, 500, null, 'internal error');
  };
}
