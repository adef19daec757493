import { createOktaSource } from '../../src/sources/okta/create-okta-source.js';
import { runIdentitySourceContract } from '../contract/identity-source.contract.js';
import { startOktaFake } from '../fakes/okta-fake.js';
import { toOktaDirectory } from '../fakes/seed-directory.js';

runIdentitySourceContract('okta', async () => {
  // one item per page: every list spans several pages, so a fault can land after data was read
  const fake = await startOktaFake({ pageCap: 1 });
  return {
    source: createOktaSource({
      orgUrl: fake.orgUrl,
      token: fake.token,
      groupPrefix: 'Heap ',
      retry: { retries: 1, baseDelayMs: 1, maxDelayMs: 5 },
    }),
    seed: async (directory) => {
      fake.clearFaults();
      fake.seed(toOktaDirectory(directory));
    },
    // the second group's members fail for good, after the groups and the first group's members were read
    breakNextRead: async () =>
      fake.inject({ path: /\/users$/, skip: 2, times: Infinity, action: { status: 500, body: '{}' } }),
    close: () => fake.close(),
  };
});
