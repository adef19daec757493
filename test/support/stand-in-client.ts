import type { TestStandIn } from './stand-in.js';

export type Body = Record<string, unknown>;
export interface Answer {
  status: number;
  headers: Headers;
  body: Body;
}

export const USER_SCHEMA = 'urn:ietf:params:scim:schemas:core:2.0:User';
export const GROUP_SCHEMA = 'urn:ietf:params:scim:schemas:core:2.0:Group';
export const PATCH_OP = 'urn:ietf:params:scim:api:messages:2.0:PatchOp';

async function call(
  url: string,
  token: string,
  contentType: string,
  method: string,
  body?: unknown,
  headers: Record<string, string> = {},
): Promise<Answer> {
  const res = await fetch(url, {
    method,
    headers: {
      authorization: `Bearer ${token}`,
      ...(body !== undefined && { 'content-type': contentType }),
      ...headers,
    },
    ...(body !== undefined && { body: typeof body === 'string' ? body : JSON.stringify(body) }),
  });
  const text = await res.text();
  return { status: res.status, headers: res.headers, body: (text ? JSON.parse(text) : undefined) as Body };
}

/** Calls the stand-in's SCIM endpoint as an IdP would: `scim('POST', '/Users', {...})`. */
export const scimClient =
  (standIn: TestStandIn) =>
  (method: string, path: string, body?: unknown, headers?: Record<string, string>): Promise<Answer> =>
    call(`${standIn.scimUrl}${path}`, standIn.token, 'application/scim+json', method, body, headers);

/** Calls the stand-in's UI (`/api`) as an administrator would: `api('PATCH', '/teammates/a@b', {...})`. */
export const apiClient =
  (standIn: TestStandIn) =>
  (method: string, path: string, body?: unknown, headers?: Record<string, string>): Promise<Answer> =>
    call(`${standIn.url}/api${path}`, standIn.token, 'application/json', method, body, headers);

export const patchOp = (...operations: Body[]): Body => ({ schemas: [PATCH_OP], Operations: operations });
