import type { DirectorySnapshot } from '../domain/identity.js';

/**
 * One identity provider (file, SCIM pushes, Okta, Entra). `read` yields a COMPLETE snapshot or throws
 * SourceReadError: a page that failed after retries, a truncated page chain or a malformed response must
 * never produce a partial snapshot, because revocations are computed from it.
 */
export interface IdentitySource {
  /** unique name of this source in the config, e.g. "okta" or "entra-emea"; written into Identity.source */
  readonly name: string;
  readonly type: 'file' | 'scim' | 'okta' | 'entra';
  read(options?: { signal?: AbortSignal }): Promise<SourceSnapshot>;
}

export interface SourceSnapshot extends DirectorySnapshot {
  /** requests sent for this read (for figures and health) */
  requests?: number;
  /** the source's own notion of version (delta token, file hash), for the journal */
  version?: string;
  /** a SCIM source that has never received a push: its emptiness says nothing about the IdP (DESIGN §10) */
  waitingForFirstPush?: boolean;
}

export class SourceReadError extends Error {
  constructor(
    readonly source: string,
    message: string,
    override readonly cause?: unknown,
  ) {
    super(`${source}: ${message}`);
    this.name = 'SourceReadError';
  }
}
