import type { Session } from '../domain/session.js';

/** A `sessions` row as both stores select it: the groups travel as JSON text. */
export interface SessionRow extends Omit<Session, 'groups'> {
  groups: string;
}

export const sessionFromRow = ({ groups, ...row }: SessionRow): Session => ({
  ...row,
  groups: JSON.parse(groups) as string[],
});

/** The columns a session is selected with, named as `Session` names them. */
export const SESSION_COLUMNS = `name, role, method, idp_groups AS groups, created_at AS "createdAt",
  expires_at AS "expiresAt"`;
