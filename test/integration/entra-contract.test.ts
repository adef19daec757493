import { createEntraSource } from '../../src/sources/graph/create-entra-source.js';
import { runIdentitySourceContract } from '../contract/identity-source.contract.js';
import { startEntraTokenFake } from '../fakes/entra-token-fake.js';
import { startGraphFake } from '../fakes/graph-fake.js';
import { toGraphDirectory } from '../fakes/seed-directory.js';

for (const delta of [true, false]) {
  runIdentitySourceContract(`entra (${delta ? 'delta' : 'full reads'})`, async () => {
    const idp = await startEntraTokenFake();
    // two items per page: every list spans several pages, so a fault can land after data was read
    const graph = await startGraphFake({ token: idp.accessToken, pageCap: 2 });
    return {
      source: createEntraSource({
        tenantId: idp.tenantId,
        clientId: idp.clientId,
        clientSecret: idp.clientSecret,
        authorityHost: idp.authorityHost,
        graphBaseUrl: graph.baseUrl,
        groupPrefix: 'Heap ',
        delta,
        retry: { retries: 1, baseDelayMs: 1, maxDelayMs: 5 },
      }),
      seed: async (directory) => {
        graph.clearFaults();
        graph.seed(toGraphDirectory(directory));
      },
      // delta: users/delta fails after groups/delta was read; full: a later member page is malformed
      breakNextRead: async () =>
        graph.inject(
          delta
            ? { path: /\/users\/delta$/, query: /skiptoken/, action: 'malformed' }
            : { path: /\/members$/, skip: 2, action: 'malformed' },
        ),
      close: async () => {
        await graph.close();
        await idp.close();
      },
    };
  });
}
