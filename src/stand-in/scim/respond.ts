import type { Request, Response } from 'express';

export const SCIM_CONTENT_TYPE = 'application/scim+json';

export function sendScim(res: Response, status: number, body: unknown): void {
  res.status(status).type(SCIM_CONTENT_TYPE).send(JSON.stringify(body));
}

/** The absolute SCIM root of this request, for `Location` and `meta.location`. */
export const baseUrlOf = (req: Request): string => `${req.protocol}://${req.get('host') ?? 'localhost'}${req.baseUrl}`;
