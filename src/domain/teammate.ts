import type { Access } from './entitlement.js';

/** A user as Heap holds them: what the target reads back. `email` is the identity in Heap. */
export interface Teammate {
  email: string;
  userName?: string;
  externalId?: string;
  displayName?: string;
  access: Access;
  /** Target-side facts useful before a revocation (asset ownership, last activity), when the target reports them. */
  ownedAssets?: number;
  lastActiveAt?: string;
}

/** The wire shape of the stand-in's `GET /api/teammates` and of `plan --actual` files. */
export interface TeammatesDocument {
  teammates: Teammate[];
}

/** What Heap reports about a teammate beside their access, for people deciding on a revocation. */
export interface TeammateFacts {
  ownedAssets?: number;
  lastActiveAt?: string;
}

/** The facts a teammate carries, or null when Heap reports none. */
export function factsOf(t: Teammate | null | undefined): TeammateFacts | null {
  if (!t || (t.ownedAssets === undefined && t.lastActiveAt === undefined)) return null;
  return {
    ...(t.ownedAssets !== undefined && { ownedAssets: t.ownedAssets }),
    ...(t.lastActiveAt !== undefined && { lastActiveAt: t.lastActiveAt }),
  };
}
