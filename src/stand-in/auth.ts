import { createHash, timingSafeEqual } from 'node:crypto';
import type { RequestHandler, Response } from 'express';

const digest = (s: string) => createHash('sha256').update(s).digest();

/** Compares in constant time: both sides are hashed first, so neither length nor content leaks through timing. */
export function tokenMatches(presented: string, expected: string): boolean {
  return timingSafeEqual(digest(presented), digest(expected));
}

/** Requires `Authorization: Bearer <token>`; `reject` writes the 401 in the caller's error format. */
export function requireBearer(token: string, reject: (res: Response, detail: string) => void): RequestHandler {
  return (req, res, next) => {
    const header = req.get('authorization') ?? '';
    const match = /^Bearer\s+(.+)$/i.exec(header.trim());
    if (!match?.[1] || !tokenMatches(match[1], token)) {
      res.set('WWW-Authenticate', 'Bearer realm="heap-stand-in"');
      reject(res, match ? 'the bearer token is not valid' : 'authentication required: Authorization: Bearer <token>');
      return;
    }
    next();
  };
}
