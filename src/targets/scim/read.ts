import { TargetReadError } from '../../ports/access-target.js';
import { errorDetail, RetriesExhaustedError, type ScimHttp } from './http.js';

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

async function get(http: ScimHttp, query: Record<string, string | number>, signal?: AbortSignal) {
  const where = `GET /Users?${Object.entries(query)
    .map(([k, v]) => `${k}=${v}`)
    .join('&')}`;
  try {
    const res = await http.request('GET', '/Users', { query, ...(signal && { signal }) });
    if (res.status !== 200) throw new TargetReadError(`${where}: ${errorDetail(res)}`);
    return readPage(res.body, where);
  } catch (err) {
    if (err instanceof TargetReadError || signal?.aborted) throw err;
    const message = err instanceof RetriesExhaustedError ? err.message : `${where}: ${(err as Error).message}`;
    throw new TargetReadError(message, err);
  }
}

/**
 * Every user, page by page (`startIndex`/`count`) until `totalResults`. Complete or it throws: a page that fails
 * after retries, an empty page before the total is reached or ids that do not add up to the total fail the read.
 * When the total moves between pages (someone wrote meanwhile) the read starts over, a few times at most.
 */
export async function readAllUsers(http: ScimHttp, pageSize: number, signal?: AbortSignal): Promise<unknown[]> {
  for (let restart = 0; restart <= MAX_RESTARTS; restart++) {
    const byId = new Map<string, unknown>();
    let total: number | undefined;
    let startIndex = 1;
    let moved = false;
    for (;;) {
      const page = await get(http, { startIndex, count: pageSize }, signal);
      if (total === undefined) total = page.totalResults;
      else if (page.totalResults !== total) {
        moved = true;
        break;
      }
      for (const r of page.resources) {
        const id = (r as { id?: unknown } | null)?.id;
        if (typeof id !== 'string')
          throw new TargetReadError(`GET /Users: a User without an id at startIndex ${startIndex}`);
        byId.set(id, r);
      }
      if (startIndex - 1 + page.resources.length >= total) break;
      if (!page.resources.length) {
        throw new TargetReadError(`GET /Users: empty page at startIndex ${startIndex} of ${total} users`);
      }
      startIndex += page.resources.length;
    }
    if (!moved && byId.size === total) return [...byId.values()];
  }
  throw new TargetReadError(
    `GET /Users: the user list kept changing during ${MAX_RESTARTS + 1} reads; no complete read`,
  );
}

/** The users whose userName is `userName` (case-insensitive in SCIM): normally none or one. */
export async function findUsersByUserName(http: ScimHttp, userName: string, signal?: AbortSignal): Promise<unknown[]> {
  const page = await get(http, { filter: `userName eq ${JSON.stringify(userName)}` }, signal);
  return page.resources;
}
