import { TargetReadError } from '../../ports/access-target.js';
import { describe, RetriesExhaustedError, type ScimHttp } from './http.js';

const MAX_RESTARTS = 3;

interface ListPage {
  totalResults: number;
  resources: unknown[];
}

function readPage(body: unknown, where: string): ListPage {
  const b = (typeof body === 'object' && body !== null ? body : {}) as Record<string, unknown>;
  const total = b.totalResults;
  if (typeof total !== 'number' || !Number.isInteger(total) || total < 0) {
    throw new TargetReadError(`${where}: the ListResponse has no valid totalResults`);
  }
  const resources = b.Resources ?? [];
  if (!Array.isArray(resources)) throw new TargetReadError(`${where}: Resources is not an array`);
  return { totalResults: total, resources };
}

async function get(
  http: ScimHttp,
  endpoint: '/Users' | '/Groups',
  query: Record<string, string | number>,
  signal?: AbortSignal,
) {
  const where = `GET ${endpoint}?${Object.entries(query)
    .map(([k, v]) => `${k}=${v}`)
    .join('&')}`;
  try {
    const res = await http.request('GET', endpoint, { query, ...(signal && { signal }) });
    if (res.status !== 200) throw new TargetReadError(`${http.origin}: ${where}: ${http.explain(res)}`);
    return readPage(res.body, `${http.origin}: ${where}`);
  } catch (err) {
    if (err instanceof TargetReadError || signal?.aborted) throw err;
    const message =
      err instanceof RetriesExhaustedError ? err.message : `${where}: ${describe(err, http.timeoutMs) ?? 'failed'}`;
    throw new TargetReadError(`${http.origin}: ${message}`, err);
  }
}

/**
 * Every resource of an endpoint, page by page (`startIndex`/`count`) until `totalResults`. Complete or it throws:
 * a page that fails after retries, an empty page before the total is reached or ids that do not add up to the
 * total fail the read. When the total moves between pages (someone wrote meanwhile) the read starts over, a few
 * times at most.
 */
async function readAll(
  http: ScimHttp,
  endpoint: '/Users' | '/Groups',
  pageSize: number,
  signal?: AbortSignal,
): Promise<unknown[]> {
  const noun = endpoint.slice(1, -1);
  for (let restart = 0; restart <= MAX_RESTARTS; restart++) {
    const byId = new Map<string, unknown>();
    let total: number | undefined;
    let startIndex = 1;
    let moved = false;
    for (;;) {
      const page = await get(http, endpoint, { startIndex, count: pageSize }, signal);
      if (total === undefined) total = page.totalResults;
      else if (page.totalResults !== total) {
        moved = true;
        break;
      }
      for (const r of page.resources) {
        const id = (r as { id?: unknown } | null)?.id;
        if (typeof id !== 'string')
          throw new TargetReadError(
            `${http.origin}: GET ${endpoint}: a ${noun} without an id at startIndex ${startIndex}`,
          );
        byId.set(id, r);
      }
      if (startIndex - 1 + page.resources.length >= total) break;
      if (!page.resources.length) {
        throw new TargetReadError(
          `${http.origin}: GET ${endpoint}: empty page at startIndex ${startIndex} of ${total} ${noun.toLowerCase()}s`,
        );
      }
      startIndex += page.resources.length;
    }
    if (!moved && byId.size === total) return [...byId.values()];
  }
  throw new TargetReadError(
    `${http.origin}: GET ${endpoint}: the ${noun.toLowerCase()} list kept changing during ${MAX_RESTARTS + 1} reads; no complete read`,
  );
}

export const readAllUsers = (http: ScimHttp, pageSize: number, signal?: AbortSignal) =>
  readAll(http, '/Users', pageSize, signal);

/** Every Group (a Heap Team) with its members. */
export const readAllGroups = (http: ScimHttp, pageSize: number, signal?: AbortSignal) =>
  readAll(http, '/Groups', pageSize, signal);

/** The users whose userName is `userName` (case-insensitive in SCIM): normally none or one. */
export async function findUsersByUserName(http: ScimHttp, userName: string, signal?: AbortSignal): Promise<unknown[]> {
  const page = await get(http, '/Users', { filter: `userName eq ${JSON.stringify(userName)}` }, signal);
  return page.resources;
}

/** The users whose externalId is `externalId`: the IdP's immutable id, which survives a rename. */
export async function findUsersByExternalId(
  http: ScimHttp,
  externalId: string,
  signal?: AbortSignal,
): Promise<unknown[]> {
  const page = await get(http, '/Users', { filter: `externalId eq ${JSON.stringify(externalId)}` }, signal);
  return page.resources;
}

/** The Group (Team) named `name`, without its members (a Team may have thousands), or null. */
export async function findGroupByName(http: ScimHttp, name: string, signal?: AbortSignal): Promise<string | null> {
  const page = await get(
    http,
    '/Groups',
    { filter: `displayName eq ${JSON.stringify(name)}`, excludedAttributes: 'members' },
    signal,
  );
  const exact = page.resources.find(
    (g) => String((g as { displayName?: unknown }).displayName).toLowerCase() === name.toLowerCase(),
  );
  const id = (exact as { id?: unknown } | undefined)?.id;
  return typeof id === 'string' ? id : null;
}
