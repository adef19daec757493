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
