import type { ScimAttributes, ScimUserFields } from './user-fields.js';

export type { ScimAttributes } from './user-fields.js';

export interface ScimUserRecord extends ScimUserFields {
  id: string;
  attributes: ScimAttributes;
  created: string;
  lastModified: string;
  /** increases on every write; the ETag is `W/"<version>"` */
  version: number;
}

export interface ScimGroupRecord {
  id: string;
  displayName: string;
  externalId: string | null;
  attributes: ScimAttributes;
  created: string;
  lastModified: string;
  version: number;
}

export interface ScimGroupMember {
  id: string;
  /** the member's displayName, else its userName */
  display: string;
}

/** A group a user is in, as the user's `groups` attribute shows it. */
export interface ScimGroupOfUser {
  id: string;
  displayName: string;
}

export interface ScimUserWithGroups {
  user: ScimUserRecord;
  groups: ScimGroupOfUser[];
}

export interface ScimGroupWithMembers {
  group: ScimGroupRecord;
  members: ScimGroupMember[];
}

/** An indexed equality lookup (`userName eq "…"`); userName, displayName and emails compare case-insensitively. */
export type ScimUserLookup = { by: 'id' | 'userName' | 'externalId' | 'displayName' | 'email'; value: string };
export type ScimGroupLookup = { by: 'id' | 'displayName' | 'externalId'; value: string };

export type ScimSortKey = 'id' | 'userName' | 'displayName' | 'externalId' | 'created' | 'lastModified';

export interface ScimListOptions<L> {
  lookup?: L;
  /** 0-based offset and page size; without it every match is returned */
  page?: { offset: number; limit: number };
  sort?: { by: ScimSortKey; descending: boolean };
}

export interface ScimPage<T> {
  /** every match, not only this page */
  total: number;
  items: T[];
}

export interface ScimMemberChange {
  add?: string[];
  /** ids to remove, or every member */
  remove?: string[] | 'all';
}

export interface ScimGroupWrite {
  group: ScimGroupRecord;
  /** displayName before the write (differs from group.displayName on a rename) */
  previousDisplayName: string;
  added: string[];
  removed: string[];
  /** every member after the write */
  members: string[];
  /** false when the write was identical to what was stored (nothing was written) */
  changed: boolean;
}

export interface ScimSnapshot {
  users: ScimUserRecord[];
  groups: (ScimGroupRecord & { members: string[] })[];
  /** when the IdP first created a user or group here; null: it has never pushed (kept after everything is deleted) */
  firstPushAt: string | null;
}

/** Users one SCIM write touched, recorded in the write's own transaction (DESIGN §10: acknowledged pushes are never dropped). */
export interface ScimOutboxEntry {
  /** increases with every write that touched someone */
  seq: number;
  /** the SCIM source (config name) the write came through */
  source: string;
  /** Heap user keys (normalised e-mail, else userName) of the users touched, captured at write time (a deleted user's too) */
  users: string[];
  at: string;
}

/**
 * The SCIM repository port: Users and Groups pushed by an IdP, kept beside the store (SQLite or PostgreSQL:
 * later: both run test/contract/scim-repository.contract.ts). Every method is asynchronous; a write has happened,
 * durably, when its promise resolves. Every write is one transaction; membership is its own table, so concurrent
 * member changes to one group never overwrite each other.
 * Every write that touches someone (a user created, changed, renamed or deleted; a group's members added or removed;
 * a group renamed or deleted with members) appends one outbox entry with the Heap keys of those users, in the
 * write's own transaction, so a crash after the SCIM response loses no pushed change. A write that changes nothing
 * appends none.
 * Writes reject with ScimUniquenessError, ScimVersionConflictError, ScimUnknownMemberError or
 * ScimInvalidValueError (./errors.ts).
 */
export interface ScimRepository {
  getUser(id: string): Promise<ScimUserRecord | null>;
  listUsers(options?: ScimListOptions<ScimUserLookup>): Promise<ScimPage<ScimUserRecord>>;
  /** `listUsers` with each user's groups, in one read: a list response (the hot path of every push) or a GET */
  listUsersWithGroups(options?: ScimListOptions<ScimUserLookup>): Promise<ScimPage<ScimUserWithGroups>>;
  /** `id` is for imports and tests; SCIM clients never choose ids (the HTTP layer does not pass one) */
  createUser(attributes: ScimAttributes, options?: { id?: string }): Promise<ScimUserRecord>;
  /** null when the user does not exist; an identical write changes nothing (not even the version) */
  replaceUser(
    id: string,
    attributes: ScimAttributes,
    options?: { expectedVersion?: number },
  ): Promise<{ user: ScimUserRecord; changed: boolean } | null>;
  /** null when the user does not exist; else the groups the user was removed from */
  deleteUser(id: string, options?: { expectedVersion?: number }): Promise<{ groups: string[] } | null>;
  groupsOfUser(id: string): Promise<ScimGroupOfUser[]>;
  /** the groups of each user, for list responses */
  groupsOfUsers(ids: string[]): Promise<Map<string, ScimGroupOfUser[]>>;

  getGroup(id: string): Promise<ScimGroupRecord | null>;
  listGroups(options?: ScimListOptions<ScimGroupLookup>): Promise<ScimPage<ScimGroupRecord>>;
  /** `listGroups` with each group's members, in one read */
  listGroupsWithMembers(options?: ScimListOptions<ScimGroupLookup>): Promise<ScimPage<ScimGroupWithMembers>>;
  /** members of each group, in the order they were added */
  membersOf(groupIds: string[]): Promise<Map<string, ScimGroupMember[]>>;
  createGroup(attributes: ScimAttributes, members: string[], options?: { id?: string }): Promise<ScimGroupWrite>;
  /** replaces attributes and the whole member list; null when the group does not exist */
  replaceGroup(
    id: string,
    attributes: ScimAttributes,
    members: string[],
    options?: { expectedVersion?: number },
  ): Promise<ScimGroupWrite | null>;
  /** adds and removes members without reading the rest of the group; null when the group does not exist */
  changeMembers(
    id: string,
    change: ScimMemberChange,
    options?: { expectedVersion?: number },
  ): Promise<ScimGroupWrite | null>;
  /** null when the group does not exist; else its members before deletion */
  deleteGroup(id: string, options?: { expectedVersion?: number }): Promise<{ members: string[] } | null>;

  /** outbox entries not yet acknowledged, oldest first */
  pendingOutbox(options?: { limit?: number }): Promise<ScimOutboxEntry[]>;
  /** drops the entries with seq <= upToSeq, once a run that covered their users has been journaled */
  ackOutbox(upToSeq: number): Promise<void>;

  /** every user and group, read in one transaction */
  snapshot(): Promise<ScimSnapshot>;
  /** a hash of everything stored, to check that a request changed nothing */
  digest(): Promise<string>;
  /** closes the connection; closing twice is harmless */
  close(): Promise<void>;
}
