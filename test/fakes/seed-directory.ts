import type { GraphFakeGroup, GraphFakeUser } from './graph-fake.js';
import type { OktaFakeGroup, OktaFakeUser } from './okta-fake.js';

/** A vendor-neutral directory to seed any fake with (the identity-source contract's input). */
export interface SeedUser {
  id: string;
  userName: string;
  email: string | null;
  displayName?: string;
  active: boolean;
}

export interface SeedGroup {
  id: string;
  displayName: string;
  /** user ids */
  members: string[];
}

export interface SeedDirectory {
  users: SeedUser[];
  groups: SeedGroup[];
}

/** Inactive users become SUSPENDED, Okta's "an admin stopped sign-in". */
export function toOktaDirectory(seed: SeedDirectory): { users: OktaFakeUser[]; groups: OktaFakeGroup[] } {
  return {
    users: seed.users.map((u) => {
      const [firstName, ...rest] = (u.displayName ?? '').split(' ');
      return {
        id: u.id,
        status: u.active ? 'ACTIVE' : 'SUSPENDED',
        login: u.userName,
        email: u.email,
        ...(firstName ? { firstName } : {}),
        ...(rest.length > 0 ? { lastName: rest.join(' ') } : {}),
      };
    }),
    groups: seed.groups.map((g) => ({ id: g.id, name: g.displayName, members: [...g.members] })),
  };
}

export function toGraphDirectory(seed: SeedDirectory): { users: GraphFakeUser[]; groups: GraphFakeGroup[] } {
  return {
    users: seed.users.map((u) => ({
      id: u.id,
      userPrincipalName: u.userName,
      mail: u.email,
      ...(u.displayName !== undefined && { displayName: u.displayName }),
      accountEnabled: u.active,
    })),
    groups: seed.groups.map((g) => ({ id: g.id, displayName: g.displayName, members: [...g.members] })),
  };
}

/**
 * A large directory for figures: `users` people in `groups` groups named `${prefix}…`. The first group holds
 * everyone (a multi-page member list on every API); each user is also in two of the other groups.
 * Deterministic, so runs compare.
 */
export function buildLargeDirectory(options: {
  users: number;
  groups: number;
  prefix: string;
  inactiveEvery?: number;
}): SeedDirectory {
  const users: SeedUser[] = [];
  for (let i = 0; i < options.users; i += 1) {
    const n = String(i).padStart(6, '0');
    users.push({
      id: `u${n}`,
      userName: `user${n}@example.test`,
      email: `user${n}@example.test`,
      displayName: `User ${n}`,
      active: options.inactiveEvery ? i % options.inactiveEvery !== 0 : true,
    });
  }
  const others = Math.max(1, options.groups - 1);
  const groups: SeedGroup[] = [
    { id: 'g00000', displayName: `${options.prefix}Everyone`, members: users.map((u) => u.id) },
  ];
  for (let g = 1; g < options.groups; g += 1) {
    groups.push({ id: `g${String(g).padStart(5, '0')}`, displayName: `${options.prefix}Team ${g}`, members: [] });
  }
  users.forEach((u, i) => {
    const a = 1 + (i % others);
    const b = 1 + ((i * 7 + 3) % others);
    for (const index of new Set([a, b])) groups[index]?.members.push(u.id);
  });
  return { users, groups };
}
