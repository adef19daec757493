import { DEFAULT_ROLE_ENCODING } from '../../src/targets/role-encoding.js';
import { createScimTarget } from '../../src/targets/scim/index.js';
import type { ScimProfile } from '../../src/targets/scim/profile.js';
import { runAccessTargetContract } from '../contract/access-target.contract.js';
import { startTestStandIn, type TestStandIn } from '../support/stand-in.js';

const targetFor = (standIn: TestStandIn, profile: ScimProfile) =>
  createScimTarget({
    url: standIn.scimUrl,
    token: standIn.token,
    roleEncoding: DEFAULT_ROLE_ENCODING,
    profile,
    retries: 0,
  });

async function changeByHand(standIn: TestStandIn, email: string, entitlement: string, value: string | null) {
  const res = await fetch(`${standIn.url}/api/teammates/${encodeURIComponent(email)}`, {
    method: 'PATCH',
    headers: { authorization: `Bearer ${standIn.token}`, 'content-type': 'application/json' },
    body: JSON.stringify({ entitlement, value }),
  });
  if (!res.ok) throw new Error(`PATCH /api/teammates: ${res.status} ${await res.text()}`);
}

for (const profile of ['full', 'heap-documented'] as const) {
  runAccessTargetContract(`SCIM target (${profile}) against the Heap stand-in (${profile}) over HTTP`, async () => {
    const standIn = await startTestStandIn({ profile });
    return {
      target: targetFor(standIn, profile),
      another: () => targetFor(standIn, profile),
      setActual: (email, entitlement, value) => changeByHand(standIn, email, entitlement, value),
      close: () => standIn.close(),
    };
  });
}
