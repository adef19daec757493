import { createHash } from 'node:crypto';
import type { ScimSnapshot } from './repository.js';

/** A hash of everything a snapshot holds (versions and timestamps included), the same whatever store read it. */
export function digestScimSnapshot(snap: ScimSnapshot): string {
  const hash = createHash('sha256');
  for (const u of snap.users) {
    hash.update(`u|${u.id}|${u.version}|${u.lastModified}|${JSON.stringify(u.attributes)}\n`);
  }
  for (const g of snap.groups) {
    hash.update(`g|${g.id}|${g.version}|${g.lastModified}|${JSON.stringify(g.attributes)}|${g.members.join(',')}\n`);
  }
  return hash.digest('hex');
}
