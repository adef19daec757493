/** A SCIM inbound server on 127.0.0.1:0 with a fresh SQLite store, for integration tests and the benchmark. */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import express from 'express';
import { pino, type Logger } from 'pino';
import { createHttpApp } from '../../src/http/app.js';
import { createScimRouter } from '../../src/http/scim/router.js';
import { startHttpServer, type RunningServer } from '../../src/http/server.js';
import type { ScimChange } from '../../src/sources/scim/change.js';
import type { ScimRepository } from '../../src/sources/scim/repository.js';
import { openSqliteScimRepository } from '../../src/store/sqlite/open-sqlite-scim-repository.js';

export const SCIM_TOKEN = 'scim-test-token-0123456789';
export const USER_SCHEMA = 'urn:ietf:params:scim:schemas:core:2.0:User';
export const GROUP_SCHEMA = 'urn:ietf:params:scim:schemas:core:2.0:Group';
export const ENTERPRISE_SCHEMA = 'urn:ietf:params:scim:schemas:extension:enterprise:2.0:User';
export const PATCH_SCHEMA = 'urn:ietf:params:scim:api:messages:2.0:PatchOp';
export const ERROR_SCHEMA = 'urn:ietf:params:scim:api:messages:2.0:Error';
export const LIST_SCHEMA = 'urn:ietf:params:scim:api:messages:2.0:ListResponse';

export interface ScimResponse {
  status: number;
  headers: Headers;
  /** parsed JSON body, or null for an empty one */
  body: Record<string, unknown> | null;
  text: string;
}

export interface ScimHarness {
  /** e.g. http://127.0.0.1:PORT/scim/v2 */
  base: string;
  dir: string;
  dbPath: string;
  repository: ScimRepository;
  changes: ScimChange[];
  server: RunningServer;
  request(
    method: string,
    path: string,
    body?: unknown,
    options?: { headers?: Record<string, string>; raw?: string },
  ): Promise<ScimResponse>;
  close(options?: { keepDir?: boolean }): Promise<void>;
}

export async function startScimHarness(
  options: {
    dir?: string;
    bodyLimit?: string;
    logger?: Logger;
    repository?: ScimRepository;
    onChange?: (change: ScimChange) => void;
  } = {},
): Promise<ScimHarness> {
  const dir = options.dir ?? fs.mkdtempSync(path.join(os.tmpdir(), 'scim-inbound-'));
  const dbPath = path.join(dir, 'store.db');
  const repository = options.repository ?? openSqliteScimRepository(dbPath);
  const logger = options.logger ?? pino({ level: 'silent' });
  const changes: ScimChange[] = [];
  const mount = express.Router();
  const app = createHttpApp({
    logger,
    routers: [{ path: '/scim/v2', router: mount }],
    readiness: async () => ({ ok: true, checks: {} }),
  });
  const server = await startHttpServer(app, { host: '127.0.0.1', port: 0, graceMs: 1000 });
  const base = `${server.url}/scim/v2`;
  mount.use(
    createScimRouter({
      repository,
      token: SCIM_TOKEN,
      baseUri: base,
      logger,
      ...(options.bodyLimit && { bodyLimit: options.bodyLimit }),
      onChange: (change) => {
        changes.push(change);
        options.onChange?.(change);
      },
    }),
  );
  return {
    base,
    dir,
    dbPath,
    repository,
    changes,
    server,
    async request(method, urlPath, body, requestOptions = {}) {
      const headers: Record<string, string> = { authorization: `Bearer ${SCIM_TOKEN}`, ...requestOptions.headers };
      let payload: string | undefined = requestOptions.raw;
      if (payload === undefined && body !== undefined) payload = JSON.stringify(body);
      if (payload !== undefined && !Object.keys(headers).some((h) => h.toLowerCase() === 'content-type')) {
        headers['content-type'] = 'application/scim+json';
      }
      const res = await fetch(`${base}${urlPath}`, {
        method,
        headers,
        ...(payload !== undefined && { body: payload }),
      });
      const text = await res.text();
      let parsed: Record<string, unknown> | null = null;
      if (text.length > 0) parsed = JSON.parse(text) as Record<string, unknown>;
      return { status: res.status, headers: res.headers, body: parsed, text };
    },
    async close(closeOptions = {}) {
      await server.close();
      await repository.close();
      if (!closeOptions.keepDir && !options.dir) fs.rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** A User body as Okta sends it on creation. */
export function oktaUser(userName: string, extra: Record<string, unknown> = {}): Record<string, unknown> {
  const [given = 'Given', family = 'Family'] = userName.split('@')[0]?.split('.') ?? [];
  return {
    schemas: [USER_SCHEMA],
    userName,
    name: { givenName: given, familyName: family },
    emails: [{ primary: true, value: userName, type: 'work' }],
    displayName: `${given} ${family}`,
    locale: 'en-US',
    externalId: `00u${Buffer.from(userName).toString('hex').slice(0, 12)}`,
    groups: [],
    password: 'Sup3rSecret!',
    active: true,
    ...extra,
  };
}

export const patchOp = (...operations: Record<string, unknown>[]) => ({
  schemas: [PATCH_SCHEMA],
  Operations: operations,
});
