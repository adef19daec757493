import http from 'node:http';
import type { AddressInfo } from 'node:net';
import express from 'express';
import type { Logger } from 'pino';
import { ConfigError } from '../domain/errors.js';
import type { AccessModel } from '../domain/model.js';
import { createRoleCodec, DEFAULT_ROLE_ENCODING, type RoleEncoding } from '../targets/role-encoding.js';
import { createActivityLog } from './activity-log.js';
import { createApiRouter, type StandInSettings } from './api/router.js';
import { openStandInDb } from './db.js';
import { createFaultInjector, type FaultInjector, type FaultOptions } from './faults.js';
import { createGroupsStore } from './groups-store.js';
import { createScimRouter } from './scim/router.js';
import type { StandInProfile } from './scim/user-resource.js';
import { createTraffic, type Traffic } from './traffic.js';
import { createUsersStore } from './users-store.js';

export const DEFAULT_STAND_IN_ROLE = 'Member';

export interface StandInOptions {
  /** folder of the stand-in's own SQLite file */
  dataDir: string;
  /** bearer token for /scim/v2 and /api */
  token: string;
  /** start from an empty Heap */
  reset?: boolean;
  /** the projects this Heap has; roles and UI changes for other projects are refused. Unset: any. */
  projects?: string[];
  /** the role vocabulary; values outside it are refused. Unset: any value. */
  model?: AccessModel;
  /** how roles are written as SCIM `roles` values (the default is DESIGN §7's) */
  roleEncoding?: RoleEncoding;
  /**
   * `full` (default): roles travel in SCIM `roles`. `heap-documented`: as Heap documents its SCIM: roles in SCIM
   * bodies are ignored, a new user gets `defaultRole`, Groups are Teams whose project bindings are set in `/api`.
   */
  profile?: StandInProfile;
  /** the org role a user provisioned over SCIM starts with under `heap-documented` (default Member) */
  defaultRole?: string;
  faults?: FaultOptions;
  logger?: Logger;
  now?: () => Date;
}

export interface StandInApp {
  app: express.Express;
  /** switch fault injection at run time (also `PUT /api/faults`); `faults.stats()` counts every write attempt */
  faults: FaultInjector;
  /** per-run write windows (also `GET /api/write-windows`) */
  traffic: Traffic;
  close(): void;
}

/** A local, persistent Heap: SCIM 2.0 at /scim/v2 for the SCIM target, Heap's "UI" at /api. */
export function createStandInApp(options: StandInOptions): StandInApp {
  if (!options.token) throw new ConfigError(['the stand-in needs a bearer token (HEAP_SCIM_TOKEN)']);
  if (options.model && options.defaultRole !== undefined && !options.model.orgRoles.includes(options.defaultRole)) {
    throw new ConfigError([
      `the default role "${options.defaultRole}" is not an org role (${options.model.orgRoles.join(', ')})`,
    ]);
  }
  const codec = createRoleCodec(options.roleEncoding ?? DEFAULT_ROLE_ENCODING);
  const now = options.now ?? (() => new Date());
  const db = openStandInDb(options.dataDir, options.reset ?? false);
  const activity = createActivityLog(db);
  const users = createUsersStore(db, now, activity);
  const groups = createGroupsStore(db, now, activity);
  const traffic = createTraffic(now);
  const faults = createFaultInjector(options.faults, traffic.counts);
  const rules = {
    ...(options.projects && { projects: options.projects }),
    ...(options.model && { model: options.model }),
  };
  const settings: StandInSettings = {
    profile: options.profile ?? 'full',
    defaultRole: options.defaultRole ?? DEFAULT_STAND_IN_ROLE,
  };
  const userContext = { codec, rules, profile: settings.profile, defaultRole: () => settings.defaultRole };
  const logger = options.logger;

  const app = express();
  app.disable('x-powered-by');
  app.set('etag', false);
  app.use((req, res, next) => {
    const started = performance.now();
    res.on('finish', () =>
      logger?.debug(
        { method: req.method, path: req.path, status: res.statusCode, ms: Math.round(performance.now() - started) },
        'request',
      ),
    );
    next();
  });
  app.get('/healthz', (_req, res) => {
    res.json({ ok: true });
  });
  app.use(
    '/scim/v2',
    createScimRouter({
      token: options.token,
      users,
      groups,
      ctx: userContext,
      faults,
      traffic,
      ...(logger && { logger }),
    }),
  );
  app.use(
    '/api',
    createApiRouter({
      token: options.token,
      users,
      groups,
      activity,
      rules,
      faults,
      traffic,
      settings,
      ...(logger && { logger }),
    }),
  );
  app.use((req, res) => {
    res.status(404).json({ error: `no route ${req.method} ${req.path}` });
  });

  let closed = false;
  return {
    app,
    faults,
    traffic,
    close() {
      if (closed) return;
      closed = true;
      faults.close();
      db.close();
    },
  };
}

export interface RunningStandIn {
  /** e.g. http://127.0.0.1:9100 */
  url: string;
  /** e.g. http://127.0.0.1:9100/scim/v2 */
  scimUrl: string;
  faults: FaultInjector;
  traffic: Traffic;
  close(): Promise<void>;
}

/** Starts the stand-in on `port` (0: a free one). */
export async function startStandIn(options: StandInOptions & { port: number; host?: string }): Promise<RunningStandIn> {
  const standIn = createStandInApp(options);
  const server = http.createServer(standIn.app);
  const host = options.host ?? '127.0.0.1';
  try {
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(options.port, host, () => {
        server.off('error', reject);
        resolve();
      });
    });
  } catch (err) {
    standIn.close();
    throw err;
  }
  const { port } = server.address() as AddressInfo;
  const url = `http://${host.includes(':') ? `[${host}]` : host}:${port}`;
  options.logger?.info({ url, dataDir: options.dataDir }, 'Heap stand-in listening');
  return {
    url,
    scimUrl: `${url}/scim/v2`,
    faults: standIn.faults,
    traffic: standIn.traffic,
    close: () =>
      new Promise<void>((resolve) => {
        standIn.faults.close();
        server.close(() => {
          standIn.close();
          resolve();
        });
        server.closeAllConnections();
      }),
  };
}
