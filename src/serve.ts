import os from 'node:os';
import path from 'node:path';
import { Cron } from 'croner';
import express from 'express';
import type { Logger } from 'pino';
import {
  exceptionExpiring,
  findExpiringExceptions,
  mappingReloadFailed,
  REVIEW_REMINDER_BEFORE_MS,
  reviewReminder,
  type AlertDispatcher,
} from './alerts/index.js';
import type { RunConfig } from './config/schema.js';
import { sourceName } from './config/load.js';
import { ConfigError } from './domain/errors.js';
import { createAdminApiRouter } from './http/api/router.js';
import { createHttpApp } from './http/app.js';
import { bearerAuth } from './http/auth.js';
import { createDashboardRouter } from './http/dashboard/router.js';
import { createSignIn } from './http/sign-in/create-sign-in.js';
import { metricsRegistry } from './http/metrics.js';
import { createScimRouter } from './http/scim/router.js';
import { dispatchScimSources, type ScimSourceRoute } from './http/scim/source-dispatch.js';
import { startHttpServer, type RunningServer } from './http/server.js';
import { createRuntime, postgresConnection, type Runtime, type RuntimeOptions, type SecretRef } from './main.js';
import { resolveServiceAccounts } from './config/service-accounts.js';
import type { RunRequest } from './ports/run-queue.js';
import { createRunWorker } from './services/run-worker.js';
import { openSqliteRunQueue } from './store/sqlite/open-sqlite-run-queue.js';
import { openPostgresRunQueue } from './store/postgres/open-postgres-run-queue.js';
import type { RunQueue } from './ports/run-queue.js';
import { createStatusService, type StatusService } from './services/status.js';
import type { RunOptions } from './services/sync.js';
import { createServiceMetrics } from './services/service-metrics.js';
import { createSyncMetrics } from './services/sync-metrics.js';

export interface ServeOptions extends RuntimeOptions {
  host?: string;
  port?: number;
}

export interface RunningService {
  url: string;
  runtime: Runtime;
  /** queues a run (coalesced with what is pending) and resolves once the queue is empty again */
  enqueueRun(options: RunOptions): Promise<void>;
  close(): Promise<void>;
}

const HOUSEKEEPING_MS = 60_000;

/**
 * `serve`: SCIM inbound, the admin API and dashboard, the schedule, exception expiry and alerts around one
 * runtime. A composition root like main.ts: the only other place that wires concrete adapters.
 */
export async function startService(options: ServeOptions = {}): Promise<RunningService> {
  const env = options.env ?? process.env;
  const syncMetrics = createSyncMetrics(metricsRegistry);
  let dispatcher: AlertDispatcher | null = null;
  let status: StatusService | null = null;
  let serviceMetricsRef: ReturnType<typeof createServiceMetrics> | null = null;
  const rt = await createRuntime({
    ...options,
    env,
    command: options.command ?? 'serve',
    moreSecrets: serveSecrets,
    alerts: true,
    onAlertDelivery: (report) => serviceMetricsRef?.alertDelivered(report),
    hooks: {
      sourcesRead: (reports) => syncMetrics.sourcesRead(reports),
      runFinished: async (outcome) => {
        syncMetrics.runFinished(outcome);
        // the dashboard's drift reading is stale once a run changed Heap
        status?.invalidate();
      },
    },
  });
  const log = rt.logger.child({ component: 'serve' });
  const closers: (() => unknown)[] = [];
  try {
    const { config } = rt;
    // which replica this is, in /readyz and on every metric (HEAP_ACCESS_SYNC_REPLICA: one config for all replicas)
    const replica = env.HEAP_ACCESS_SYNC_REPLICA || config.server.replica || os.hostname();
    metricsRegistry.setDefaultLabels({ replica });
    const { secrets } = rt;
    const accounts = resolveServiceAccounts(config.server, env, { otherSignIn: Boolean(config.server.oidc) });
    const serviceMetrics = createServiceMetrics(metricsRegistry, { store: rt.store, clock: rt.clock });
    serviceMetricsRef = serviceMetrics;
    // the runtime's dispatcher: runs alert through it, and closing the runtime drains it
    const alerts = rt.alerts;
    if (!alerts) throw new Error('serve builds its runtime with alerts');
    dispatcher = alerts;

    // Every trigger goes through the durable run queue: one run at a time per target, triggers coalesce, a run
    // that meets the lock (a CLI `sync`) is retried, pushes acknowledged before a crash are run after the restart.
    // On PostgreSQL the queue is shared by every replica (DESIGN §13): one active and one pending run per target.
    const pg = postgresConnection(config, env);
    const queue: RunQueue = pg
      ? await openPostgresRunQueue(pg, { logger: rt.logger })
      : openSqliteRunQueue(path.resolve(rt.loaded.baseDir, config.store.sqlite));
    closers.push(() => queue.close());
    const worker = createRunWorker({
      queue,
      target: `target:${rt.target.name}`,
      run: (runOptions) => rt.sync.run(runOptions),
      outboxes: [...rt.scimRepositories.values()],
      logger: rt.logger.child({ component: 'run-queue' }),
    });
    closers.push(() => worker.close());
    const enqueueRun = async (runOptions: RunOptions): Promise<void> => {
      await worker.trigger({ trigger: runOptions.trigger, scope: runOptions.scope ?? null });
      await worker.settled();
    };
    const trigger = (request: RunRequest) =>
      worker.trigger(request).catch((err: unknown) => {
        log.error({ trigger: request.trigger, error: (err as Error).message }, 'could not queue the run');
      });

    rt.mapping.watch();
    closers.push(() => rt.mapping.close());
    rt.mapping.onReload((status) => {
      if (status.reloadError) {
        void dispatcher?.enqueue([
          mappingReloadFailed(
            status.reloadError.issues.length ? status.reloadError.issues : [status.reloadError.message],
            rt.clock.now(),
          ),
        ]);
      }
    });

    const routers = [];
    const scimMount = express.Router();
    let mountScim: ((port: number) => void) | null = null;
    const scimRoutes: ((baseUri: string) => ScimSourceRoute)[] = [];
    for (const scimSource of config.sources) {
      if (scimSource.type !== 'scim') continue;
      const name = sourceName(scimSource);
      const repository = rt.scimRepositories.get(name);
      if (!repository) continue;
      // the users a push touched are in the outbox already (same transaction as the write): the run reads them
      const pushed = () =>
        worker.drainOutbox({ debounceMs: scimSource.debounceMs }).catch((err: unknown) => {
          log.error({ error: (err as Error).message }, 'could not queue the pushed change; the next drain runs it');
        });
      const token = secrets[scimSource.tokenEnv]!;
      scimRoutes.push((baseUri) => ({
        source: name,
        token,
        router: createScimRouter({
          repository,
          token,
          baseUri,
          onChange: () => void pushed(),
          logger: rt.logger.child({ component: 'scim', source: name }),
          bodyLimit: config.server.bodyLimit,
        }),
      }));
    }
    if (scimRoutes.length) {
      const duplicate = duplicateScimToken(config.sources, secrets);
      if (duplicate) throw new ConfigError([duplicate]);
      // Mounted once the port is bound: with `server.port: 0`, Location and meta.location need the real one.
      mountScim = (port) => {
        const baseUri = `${config.server.publicUrl?.replace(/\/$/, '') ?? publicBase(options.host ?? config.server.host, port)}/scim/v2`;
        scimMount.use(dispatchScimSources(scimRoutes.map((route) => route(baseUri))));
      };
      routers.push({ path: '/scim/v2', router: scimMount });
    }
    status = createStatusService(rt);
    // The port is known once the server listens (`server.port: 0`): the IdP's redirect URI asks for it later.
    let listeningOn: number | null = null;
    const signIn = createSignIn({
      server: config.server,
      accounts,
      env,
      store: rt.store,
      clock: rt.clock,
      logger: rt.logger,
      publicUrl: () =>
        config.server.publicUrl ??
        publicBase(options.host ?? config.server.host, listeningOn ?? options.port ?? config.server.port),
    });
    routers.push({
      path: '/api',
      router: createAdminApiRouter({
        ...rt,
        // an administrator's run waits for the queued run of this process instead of meeting its lock
        sync: { run: (o) => worker.exclusive(() => rt.sync.run(o)), plan: (o) => rt.sync.plan(o) },
        accounts,
        sessions: signIn.sessions,
        status,
        bodyLimit: config.server.bodyLimit,
      }),
    });
    routers.push({ path: '/', router: signIn.router });
    routers.push({ path: '/', router: createDashboardRouter() });
    closers.push(() => status?.settle());

    const app = createHttpApp({
      logger: rt.logger.child({ component: 'http' }),
      routers,
      readiness: async () => readiness(rt, queue, `target:${rt.target.name}`, replica),
      metrics: () => metricsRegistry.metrics(),
      protect: bearerAuth({ accounts }),
      publicReadiness: config.server.publicReadiness,
    });
    const server: RunningServer = await startHttpServer(app, {
      host: options.host ?? config.server.host,
      port: options.port ?? config.server.port,
    });
    closers.push(() => server.close());
    mountScim?.(server.port);
    listeningOn = server.port;

    if (config.schedule) {
      // every replica's cron fires; the tick (the schedule's own time, the same on each) is claimed once in the store
      const scheduled = async (cron: Cron) => {
        const tick = cron.previousRuns(1, new Date(Date.now() + 1))[0] ?? new Date();
        if (!(await claimOnce(rt, `schedule:${rt.target.name}`, tick))) return;
        log.info({ tick: tick.toISOString() }, 'scheduled run queued');
        await trigger({ trigger: 'schedule', scope: null });
      };
      const cron = new Cron(config.schedule, { protect: true }, (self: Cron) => {
        scheduled(self).catch((err: unknown) => log.error({ error: (err as Error).message }, 'schedule failed'));
      });
      closers.push(() => cron.stop());
    }
    const review = config.reviews;
    if (review?.schedule) {
      // the quarterly campaign: started as `schedule`, from what Heap has at that moment; one per tick however
      // many replicas fire on it (the tick names the campaign)
      const start = (tick: Date) =>
        rt.reviews
          .start({
            reviewers: review.reviewers,
            actor: 'schedule',
            due: review.due,
            project: review.project ?? null,
            scheduledFor: tick,
          })
          .then(({ campaign, started }) =>
            log.info(
              { review: campaign.id, items: campaign.items },
              started ? 'access review started' : 'access review of this tick already started by another replica',
            ),
          )
          .catch((err: unknown) => log.error({ error: (err as Error).message }, 'scheduled access review failed'));
      const reviewCron = new Cron(review.schedule, { protect: true }, (self: Cron) => {
        void start(self.currentRun() ?? new Date());
      });
      closers.push(() => reviewCron.stop());
    }
    const housekeeping = startHousekeeping(rt, alerts, trigger, log);
    // what was pushed and acknowledged before the last stop (or crash) runs now
    await worker.drainOutbox();
    closers.push(() => housekeeping.stop());

    log.info({ url: server.url, replica, mapping: rt.mapping.current().version }, 'heap-access-sync serving');
    return {
      url: server.url,
      runtime: rt,
      enqueueRun,
      async close() {
        // stop taking work, let the run in progress finish, then close what it writes to; pending runs stay queued
        for (const close of closers.reverse()) await close();
        await rt.close();
      },
    };
  } catch (err) {
    for (const close of closers.reverse()) await close();
    await rt.close();
    throw err;
  }
}

/**
 * The secrets `serve` answers with, checked with the target's and the sources' so all missing ones are named at
 * once: the SCIM source's token and the service accounts' (resolveServiceAccounts checks them again, with their
 * lengths and clashes, once the rest is known to be there).
 */
function serveSecrets(config: RunConfig): SecretRef[] {
  const { oidc } = config.server;
  return [
    ...(config.server.tokens.length === 0 && !oidc
      ? [{ key: 'server.adminTokenEnv', variable: config.server.adminTokenEnv }]
      : config.server.tokens.map((t, i) => ({ key: `server.tokens[${i}].tokenEnv`, variable: t.tokenEnv }))),
    ...(oidc?.clientSecretEnv ? [{ key: 'server.oidc.clientSecretEnv', variable: oidc.clientSecretEnv }] : []),
    ...config.sources.flatMap((s, i) =>
      s.type === 'scim' ? [{ key: `sources[${i}].tokenEnv`, variable: s.tokenEnv }] : [],
    ),
  ];
}

/** Two scim sources whose variables hold the same token could not be told apart: a config error naming both. */
function duplicateScimToken(sources: RunConfig['sources'], secrets: Record<string, string>): string | null {
  const seen = new Map<string, string>();
  for (const s of sources) {
    if (s.type !== 'scim') continue;
    const token = secrets[s.tokenEnv]!;
    const other = seen.get(token);
    if (other !== undefined) {
      return `scim sources: ${other} and ${s.tokenEnv} hold the same token; each scim source needs its own`;
    }
    seen.set(token, s.tokenEnv);
  }
  return null;
}

/** Takes a claim for the moment `at` (later than the last one taken): true on one replica only. */
async function claimOnce(rt: Runtime, name: string, at: Date): Promise<boolean> {
  return (await rt.store.claim([name], at, 1)).has(name);
}

/**
 * At start, every minute and when the next exception expires: a run when an exception has expired (the journal
 * says why it reverts), and an alert for each exception expiring within 24 hours and each review reminder (the
 * dispatcher sends each once per window, across replicas). Every replica looks; an expiry is claimed in the store
 * (by its time), so one replica runs it.
 */
function startHousekeeping(
  rt: Runtime,
  dispatcher: AlertDispatcher,
  trigger: (request: RunRequest) => Promise<void>,
  log: Logger,
): { stop(): void } {
  let nextExpiry: Date | null = null;
  let timer: NodeJS.Timeout | null = null;
  let stopped = false;
  const check = async () => {
    const now = rt.clock.now();
    if (nextExpiry && nextExpiry.getTime() <= now.getTime()) {
      if (await claimOnce(rt, `exception-expiry:${rt.target.name}`, nextExpiry)) {
        log.info({ expiredAt: nextExpiry.toISOString() }, 'exception expired; run queued');
        void trigger({ trigger: 'exception-expiry', scope: null });
      }
    }
    nextExpiry = await rt.exceptions.nextExpiry();
    const expiring = findExpiringExceptions(await rt.exceptions.list(), now);
    if (expiring.length) await dispatcher.enqueue(expiring.map((e) => exceptionExpiring(e, now)));
    // access reviews close to (or past) their due date with undecided items: a reminder a day through the sinks
    const reminders = (await rt.reviews.pendingReminders()).filter(
      (r) => Date.parse(r.campaign.dueAt) - now.getTime() <= REVIEW_REMINDER_BEFORE_MS,
    );
    if (reminders.length) await dispatcher.enqueue(reminders.map((r) => reviewReminder(r.campaign, r.undecided, now)));
  };
  const loop = () => {
    check()
      .catch((err: unknown) => log.error({ error: (err as Error).message }, 'housekeeping failed'))
      .finally(() => {
        if (stopped) return;
        const untilExpiry = nextExpiry ? nextExpiry.getTime() - rt.clock.now().getTime() + 1 : HOUSEKEEPING_MS;
        timer = setTimeout(loop, Math.max(0, Math.min(HOUSEKEEPING_MS, untilExpiry)));
        timer.unref();
      });
  };
  loop();
  return {
    stop() {
      stopped = true;
      if (timer) clearTimeout(timer);
    },
  };
}

async function readiness(
  rt: Runtime,
  queue: RunQueue,
  target: string,
  replica: string,
): Promise<{ ok: boolean; checks: Record<string, string> }> {
  const checks: Record<string, string> = { replica };
  let ok = true;
  const kind = rt.config.store.postgres ? 'postgres' : 'sqlite';
  try {
    await rt.store.listJournal({ limit: 1 });
    checks.store = `ok (${kind})`;
  } catch (err) {
    ok = false;
    checks.store = `unreachable (${kind}): ${(err as Error).message}`;
  }
  try {
    const { active, pending } = await queue.state(target);
    checks.queue = `ok: ${active ? `running on ${active.worker}` : 'idle'}${pending ? ', one run pending' : ''}`;
  } catch (err) {
    ok = false;
    checks.queue = `unreachable: ${(err as Error).message}`;
  }
  const mapping = rt.mapping.status();
  checks.mapping = mapping.reloadError ? `last reload failed; serving ${mapping.version}` : `loaded ${mapping.version}`;
  return { ok, checks };
}

function publicBase(host: string, port: number): string {
  const shown = host === '0.0.0.0' || host === '::' ? '127.0.0.1' : host;
  return `http://${shown.includes(':') ? `[${shown}]` : shown}:${port}`;
}
