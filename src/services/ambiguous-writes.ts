import type { Access } from '../domain/entitlement.js';
import type { ChangeResult } from '../domain/journal.js';

/**
 * DESIGN §10, ambiguous writes are resolved: a write whose outcome is unknown (timed out, connection dropped, part
 * of a user's set applied) is settled from the read of Heap the run makes after applying, before it is journaled.
 * Heap shows the value: `applied`; it does not: `not-applied` (journaled failed); there is no read (it failed):
 * `unknown` (journaled failed, with the reason).
 */
export function resolveAmbiguousWrites(
  results: ChangeResult[],
  post: Map<string, Access> | null,
  readError?: string,
): ChangeResult[] {
  return results.map((r): ChangeResult => {
    if (r.outcome !== 'failed' || r.recheck !== 'unknown') return r;
    const error = r.error ?? 'write failed';
    if (!post) return { ...r, error: `${error}; the outcome is unknown: reading Heap back failed (${readError})` };
    const value = post.get(r.change.user)?.[r.change.entitlement] ?? null;
    return value === r.change.to
      ? { ...r, outcome: 'applied', recheck: 'applied', error: `${error}; Heap shows it applied` }
      : { ...r, recheck: 'not-applied', error: `${error}; Heap does not show it` };
  });
}

/** Whether any write of the run left its outcome to be read back. */
export const hasAmbiguousWrites = (results: ChangeResult[]): boolean =>
  results.some((r) => r.outcome === 'failed' && r.recheck === 'unknown');

export const sleep = (ms: number, signal?: AbortSignal): Promise<void> =>
  new Promise<void>((resolve) => {
    if (ms <= 0 || signal?.aborted) return resolve();
    const timer = setTimeout(resolve, ms);
    signal?.addEventListener(
      'abort',
      () => {
        clearTimeout(timer);
        resolve();
      },
      { once: true },
    );
  });
