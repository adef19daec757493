import { DEFAULT_ROLE_ENCODING } from '../../src/targets/role-encoding.js';
import { createScimTarget } from '../../src/targets/scim/index.js';
import { runAccessTargetContract } from '../contract/access-target.contract.js';
import { startTestStandIn, type TestStandIn } from '../support/stand-in.js';

const targetFor = (standIn: TestStandIn) =>
  createScimTarget({ url: standIn.scimUrl, token: standIn.token, roleEncoding: DEFAULT_ROLE_ENCODING, retries: 0 });

async function changeByHand(standIn: TestStandIn, email: string, entitlement: string, value: string | null) {
  const res = await fetch(`${standIn.url}/api/teammates/${encodeURIComponent(email)}`, {
    method: 'PATCH',
    headers: { authorization: `Bearer ${standIn.token}`, 'content-type': 'application/json' },
    body: JSON.stringify({ entitlement, value }),
  });
  if (!res.ok) throw new Error(`PATCH /api/teammates: ${res.status} ${await res.text()}`);
}

runAccessTargetContract('SCIM target against the Heap stand-in over HTTP', async () => {
  const standIn = await startTestStandIn();
  return {
    target: targetFor(standIn),
    another: () => targetFor(standIn),
    setActual: (email, entitlement, value) => changeByHand(standIn, email, entitlement, value),
    close: () => standIn.close(),
  };
});
