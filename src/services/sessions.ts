import { createHash, randomBytes } from 'node:crypto';
import type { Role } from '../domain/role.js';
import type { Clock } from '../ports/clock.js';

/** Someone signed in to the dashboard: a person proven by the IdP, or a service account that gave its token. */
export interface Session {
  /** the actor recorded for what they do: the person's e-mail, or the account's name */
  name: string;
  role: Role;
  /** how they signed in */
  method: 'oidc' | 'token';
  /** the IdP groups that gave the role (OpenID Connect only) */
  groups: string[];
  createdAt: string;
  expiresAt: string;
}

export interface SessionService {
  /** a new session; the id goes in the cookie and nowhere else (only its digest is kept) */
  create(who: Omit<Session, 'createdAt' | 'expiresAt'>, ttlMs: number): { id: string; session: Session };
  /** the live session of a cookie's id, or null (unknown, expired or signed out) */
  lookup(id: string | null | undefined): Session | null;
  /** signs out: the id is worthless from now on, whoever holds a copy */
  end(id: string | null | undefined): boolean;
}

/** At most this many live sessions; the oldest go first (a flood of sign-ins cannot grow memory without bound). */
const MAX_SESSIONS = 10_000;

const digest = (id: string): string => createHash('sha256').update(id, 'utf8').digest('base64url');

/**
 * Sessions kept in this process's memory, by the digest of their id, so the cookie holds nothing but a random
 * id: no token, no claim. In memory rather than in the Store because a session is cheap to lose and costly to
 * leak: a restart signs people out (they sign in again, through the IdP in one click), and nothing on disk or in
 * a backup can be replayed as a sign-in. With several replicas behind one address, route each browser to the same
 * replica (sticky sessions), or sign-ins will not be recognised by the others.
 */
export function createMemorySessions(deps: { clock: Clock }): SessionService {
  const sessions = new Map<string, Session>();
  const live = (s: Session) => Date.parse(s.expiresAt) > deps.clock.now().getTime();
  const sweep = () => {
    for (const [key, s] of sessions) if (!live(s)) sessions.delete(key);
    while (sessions.size >= MAX_SESSIONS) sessions.delete(sessions.keys().next().value!);
  };
  return {
    create(who, ttlMs) {
      sweep();
      const id = randomBytes(32).toString('base64url');
      const now = deps.clock.now();
      const session: Session = {
        ...who,
        createdAt: now.toISOString(),
        expiresAt: new Date(now.getTime() + ttlMs).toISOString(),
      };
      sessions.set(digest(id), session);
      return { id, session };
    },
    lookup(id) {
      if (!id) return null;
      const key = digest(id);
      const session = sessions.get(key);
      if (!session) return null;
      if (live(session)) return session;
      sessions.delete(key);
      return null;
    },
    end(id) {
      return Boolean(id) && sessions.delete(digest(id!));
    },
  };
}
