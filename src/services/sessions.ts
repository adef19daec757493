import { createHash, randomBytes } from 'node:crypto';
import type { Session } from '../domain/session.js';
import type { Clock } from '../ports/clock.js';
import type { Store } from '../ports/store.js';

export interface SessionService {
  /** a new session; the id goes in the cookie and nowhere else (only its digest is kept) */
  create(who: Omit<Session, 'createdAt' | 'expiresAt'>, ttlMs: number): Promise<{ id: string; session: Session }>;
  /** the live session of a cookie's id, or null (unknown, expired or signed out) */
  lookup(id: string | null | undefined): Promise<Session | null>;
  /** signs out: the id is worthless from now on, on every replica, whoever holds a copy */
  end(id: string | null | undefined): Promise<boolean>;
}

/** At most this many live sessions; the oldest go first (a flood of sign-ins cannot grow the table without bound). */
const MAX_SESSIONS = 10_000;

const digest = (id: string): string => createHash('sha256').update(id, 'utf8').digest('base64url');

/**
 * Sessions kept in the Store, so every replica sharing it knows every sign-in (no sticky sessions) and a restart
 * signs nobody out. The cookie holds nothing but a random 256-bit id, and the Store only that id's SHA-256 digest:
 * no token, no claim, and nothing in the database or a backup can be replayed as a sign-in.
 */
export function createStoredSessions(deps: {
  store: Pick<Store, 'createSession' | 'lookupSession' | 'endSession'>;
  clock: Clock;
}): SessionService {
  const { store, clock } = deps;
  return {
    async create(who, ttlMs) {
      const id = randomBytes(32).toString('base64url');
      const now = clock.now();
      const session: Session = {
        ...who,
        createdAt: now.toISOString(),
        expiresAt: new Date(now.getTime() + ttlMs).toISOString(),
      };
      await store.createSession(digest(id), session, { now, max: MAX_SESSIONS });
      return { id, session };
    },
    async lookup(id) {
      return id ? store.lookupSession(digest(id), clock.now()) : null;
    },
    async end(id) {
      return id ? store.endSession(digest(id)) : false;
    },
  };
}
