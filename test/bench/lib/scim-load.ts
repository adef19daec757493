/** The SCIM requests the load benchmarks send, as autocannon scenarios against `${server}/scim/v2`. */
import type { CannonOptions } from './autocannon.js';

export const scimHeaders = (token: string): Record<string, string> => ({
  authorization: `Bearer ${token}`,
  'content-type': 'application/scim+json',
});

/** `GET /Users?filter=userName eq "…"`, a different user (from `userName`) each time. */
export const filteredGet = (base: string, headers: Record<string, string>, userName: () => string): CannonOptions => ({
  url: base,
  headers,
  requests: [
    {
      method: 'GET',
      setupRequest: (req) => ({
        ...req,
        path: `/scim/v2/Users?filter=${encodeURIComponent(`userName eq "${userName()}"`)}`,
      }),
    },
  ],
});

let next = 0;

/** `POST /Users` of a new user each time (`extra` attributes beside userName). */
export const postUsers = (
  base: string,
  headers: Record<string, string>,
  extra: Record<string, unknown> = {},
): CannonOptions => ({
  url: base,
  headers,
  requests: [
    {
      method: 'POST',
      setupRequest: (req) => {
        const name = `new${next++}-${process.pid}@bench.example.com`;
        return {
          ...req,
          path: '/scim/v2/Users',
          body: JSON.stringify({
            schemas: ['urn:ietf:params:scim:schemas:core:2.0:User'],
            userName: name,
            ...extra,
            emails: [{ value: name, type: 'work', primary: true }],
            active: true,
          }),
        };
      },
    },
  ],
});
