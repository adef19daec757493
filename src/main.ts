import fs from 'node:fs';
import { X509Certificate } from 'node:crypto';
import path from 'node:path';
import { pino, type DestinationStream, type Logger } from 'pino';
import {
  loadConfig,
  requireConfigFile,
  requireEnv,
  requireRunKeys,
  sourceName,
  type LoadedConfig,
} from './config/load.js';
import type { Config, RunConfig, SourceConfig } from './config/schema.js';
import type { AccessTarget } from './ports/access-target.js';
import type { Clock } from './ports/clock.js';
import { systemClock } from './ports/clock.js';
import type { IdentitySource } from './ports/identity-source.js';
import type { Store } from './ports/store.js';
import { createFileSource } from './sources/file/read-file-directory.js';
import { createScimIdentitySource } from './sources/scim/source.js';
import type { ScimRepository } from './sources/scim/repository.js';
import { openSqliteScimRepository } from './store/sqlite/open-sqlite-scim-repository.js';
import { openSqliteStore } from './store/sqlite/open-sqlite-store.js';
import { openPostgresScimRepository } from './store/postgres/open-postgres-scim-repository.js';
import { openPostgresStore } from './store/postgres/open-postgres-store.js';
import type { PostgresConnection } from './store/postgres/open-postgres-pool.js';
import { createScimTarget } from './targets/scim/index.js';
import { createApprovalService } from './services/approvals.js';
import { createExceptionService } from './services/exceptions.js';
import { createMappingHolder } from './services/mapping-holder.js';
import { createSyncService, type SyncHooks } from './services/sync.js';
import { createJournalService, type JournalService } from './services/journal.js';
import { createJournalHasher, missingKeyHasher, type JournalHasher } from './store/journal-hash.js';
import { createAlertDispatcher, createAlertSinks, type AlertDispatcher, type DeliveryReport } from './alerts/index.js';
import { createReviewService } from './services/reviews.js';
import { ConfigError } from './domain/errors.js';
import { metricsRegistry } from './http/metrics.js';
import { composeNotices } from './notices/compose-notice.js';
import { createEmailNotifier, type EmailNotifier } from './notices/email-notifier.js';
import { createNoticeMetrics } from './notices/notice-metrics.js';
import { readNoticeTemplate, type NoticeTemplate } from './notices/notice-template.js';

/** Log keys that must never reach a log line (DESIGN §9). */
export const REDACT = [
  'req.headers.authorization',
  'req.headers.cookie',
  'res.headers["set-cookie"]',
  '*.token',
  '*.secret',
  '*.clientSecret',
  '*.password',
];

/** Logs go to stderr (or the given stream, e.g. the CLI's terminal that keeps them apart from progress). */
export function createLogger(level: string, stream?: DestinationStream): Logger {
  return pino({ level, redact: { paths: REDACT, censor: '[redacted]' } }, stream ?? pino.destination(2));
}

/**
 * Tests move time through this variable (the e2e exception-expiry test); never set it in production.
 * The clock then starts at that instant and runs on from there.
 */
export function clockFromEnv(env: NodeJS.ProcessEnv): Clock {
  const fake = env.HEAP_ACCESS_SYNC_FAKE_NOW;
  if (!fake) return systemClock;
  const offset = Date.parse(fake) - Date.now();
  if (Number.isNaN(offset)) return systemClock;
  return { now: () => new Date(Date.now() + offset) };
}

export interface RuntimeOptions {
  configFile?: string;
  env?: NodeJS.ProcessEnv;
  cwd?: string;
  logger?: Logger;
  /** the level of the logger built when none is given; default the config's `logLevel` */
  logLevel?: string;
  clock?: Clock;
  hooks?: SyncHooks;
  /** the command, as error messages name it (`no config file: \`journal list\` needs one`) */
  command?: string;
  /** secrets the caller uses beside the target's and the sources' (serve: its tokens): all missing ones are named together */
  moreSecrets?: (config: RunConfig) => SecretRef[];
  /** send the configured alerts (commands that sync: `sync`, `serve`); their secrets are then needed too */
  alerts?: boolean;
  /** told once per alert per sink when its delivery ends (serve's metrics) */
  onAlertDelivery?: (report: DeliveryReport) => void;
}

/** How long closing a runtime waits for its alerts to be delivered: a CLI `sync` delivers before it exits. */
export const ALERT_DRAIN_MS = 10_000;

export interface SecretRef {
  /** the config key that names the variable, e.g. `target.tokenEnv` */
  key: string;
  variable: string;
}

/** What every command that reads the store has: config, logger, clock, store. It needs no secret. */
export interface StoreRuntime {
  config: Config;
  loaded: LoadedConfig;
  logger: Logger;
  clock: Clock;
  store: Store;
  journal: JournalService;
  close(): Promise<void>;
}

/** The store alone (journal, exceptions list): no mapping, no source, no target, so no secret either. */
export async function openStoreRuntime(options: RuntimeOptions = {}): Promise<StoreRuntime> {
  const env = options.env ?? process.env;
  const loaded = loadRuntimeConfig(options, env);
  requireConfigFile(loaded, options.command ?? 'this command');
  return openStore(loaded, options, env);
}

function loadRuntimeConfig(options: RuntimeOptions, env: NodeJS.ProcessEnv): LoadedConfig {
  return loadConfig({
    ...(options.configFile && { file: options.configFile }),
    env,
    ...(options.cwd && { cwd: options.cwd }),
  });
}

/** The PostgreSQL connection the config names, or null for the embedded SQLite store. */
export function postgresConnection(config: Config, env: NodeJS.ProcessEnv): PostgresConnection | null {
  const pg = config.store.postgres;
  if (!pg) return null;
  const url = requireEnv(env, [{ key: 'store.postgres.urlEnv', variable: pg.urlEnv }])[pg.urlEnv]!;
  return { url, poolSize: pg.poolSize, applicationName: 'heap-access-sync' };
}

async function openStore(
  loaded: LoadedConfig,
  options: RuntimeOptions,
  env: NodeJS.ProcessEnv,
  alerts: () => AlertDispatcher | null = () => null,
): Promise<StoreRuntime> {
  const { config } = loaded;
  const logger = options.logger ?? createLogger(options.logLevel ?? config.logLevel);
  const journalHasher = journalHasherFrom(config, env);
  const pg = postgresConnection(config, env);
  const store: Store = pg
    ? await openPostgresStore(pg, { logger, journalHasher })
    : openSqliteStore(path.resolve(loaded.baseDir, config.store.sqlite), { logger, journalHasher });
  const clock = options.clock ?? clockFromEnv(env);
  const { checkpointFile } = config.journal;
  const journal = createJournalService({
    store,
    hasher: journalHasher,
    checkpointFile: checkpointFile ? path.resolve(loaded.baseDir, checkpointFile) : null,
    clock,
    logger: logger.child({ component: 'journal' }),
    alerts,
  });
  return { config, loaded, logger, clock, store, journal, close: () => store.close() };
}

/**
 * The journal key is read only when something hashes (a run appending, `journal verify`): listing and showing
 * records need no secret, and a missing key never silently writes unkeyed records.
 */
function journalHasherFrom(config: Config, env: NodeJS.ProcessEnv): JournalHasher {
  const variable = config.journal.keyEnv;
  if (!variable) return createJournalHasher(null);
  const key = env[variable];
  if (key) return createJournalHasher(key);
  return missingKeyHasher(
    () => new ConfigError([`journal.keyEnv: environment variable ${variable} is not set (the journal key)`]),
  );
}

/**
 * The only place that wires concrete adapters together: the whole runtime of a run (mapping, sources, target,
 * sync service). It needs the config's `mappings`, `sources` and `target`, and the secrets they name.
 */
export async function createRuntime(options: RuntimeOptions = {}) {
  const env = options.env ?? process.env;
  const loaded = loadRuntimeConfig(options, env);
  const config = requireRunKeys(loaded, options.command ?? 'this command');
  const secrets = requireEnv(env, [...secretsNeeded(config), ...(options.moreSecrets?.(config) ?? [])]);
  let dispatcher: AlertDispatcher | null = null;
  const base = await openStore(loaded, options, env, () => dispatcher);
  const { logger, clock, store, journal } = base;
  const resolve = (p: string) => path.resolve(loaded.baseDir, p);
  let mapping: Awaited<ReturnType<typeof createMappingHolder>>;
  /** the first scim source's repository (most configurations have one) */
  let scimRepository: ScimRepository | null = null;
  /** every scim source's repository, by source name */
  const scimRepositories = new Map<string, ScimRepository>();
  const sources: IdentitySource[] = [];
  try {
    mapping = await createMappingHolder(resolve(config.mappings), { logger, now: () => clock.now() });
    for (const s of config.sources) {
      let repository: ScimRepository | null = null;
      if (s.type === 'scim') {
        const name = sourceName(s);
        repository = await openScimRepository(config, env, resolve, logger, name, scimRepositories.size === 0);
        scimRepositories.set(name, repository);
        scimRepository ??= repository;
      }
      sources.push(await buildSource(s, { resolve, secrets, logger, store, scimRepository: repository }));
    }
    if (options.alerts) {
      dispatcher = createAlertDispatcher({
        sinks: createAlertSinks(config.alerts, { env, logger }),
        store,
        claims: store,
        logger: logger.child({ component: 'alerts' }),
        // the runtime's clock: an alert's time and its drift's revertsAt are read on the same clock
        now: () => clock.now(),
        ...(options.onAlertDelivery && { onDelivery: options.onAlertDelivery }),
      });
    }
  } catch (err) {
    for (const repository of scimRepositories.values()) await repository.close();
    await store.close();
    throw err;
  }
  const target: AccessTarget = createScimTarget({
    url: config.target.url,
    token: secrets[config.target.tokenEnv]!,
    tokenEnv: config.target.tokenEnv,
    profile: config.target.profile,
    writesPerSecond: config.target.writesPerSecond,
    ...(config.target.adminApiUrl !== undefined && { adminApiUrl: config.target.adminApiUrl }),
    roleEncoding: config.target.roleEncoding,
    timeoutMs: config.target.timeoutMs,
    retries: config.target.retries,
    pageSize: config.target.pageSize,
    logger: logger.child({ component: 'target' }),
  });
  let notices: ReturnType<typeof createNotifier>;
  try {
    notices = createNotifier(config, secrets, resolve, logger);
  } catch (err) {
    mapping.close();
    for (const repository of scimRepositories.values()) await repository.close();
    await store.close();
    throw err;
  }
  const notifier = notices?.notifier ?? null;
  const hooks: SyncHooks = { ...options.hooks };
  if (notices) {
    const { template, contact } = notices;
    hooks.runFinished = async (outcome) => {
      notifier?.send(composeNotices(outcome.record, { projects: mapping.current().projects, contact, template }));
      await options.hooks?.runFinished?.(outcome);
    };
  }
  const sync = createSyncService({
    store,
    sources,
    target,
    mapping: mapping.current,
    clock,
    applyConcurrency: config.target.applyConcurrency,
    logger: logger.child({ component: 'sync' }),
    journal,
    alerts: dispatcher,
    hooks,
  });
  const exceptions = createExceptionService({ store, clock, mapping: mapping.current, journal });
  const approvals = createApprovalService({ store, clock, mapping: mapping.current, journal });
  const reviews = createReviewService({ store, sync, exceptions, target, mapping: mapping.current, clock });
  return {
    config,
    loaded,
    logger,
    clock,
    secrets,
    store,
    sources,
    scimRepository: scimRepository as ScimRepository | null,
    scimRepositories: scimRepositories as ReadonlyMap<string, ScimRepository>,
    target,
    mapping,
    sync,
    exceptions,
    journal,
    /** the alert dispatcher of a runtime built with `alerts: true` */
    alerts: dispatcher as AlertDispatcher | null,
    approvals,
    reviews,
    notifier,
    async close() {
      // a CLI run's notices get a few seconds to go out; the run itself was journaled long before
      await notifier?.close(NOTICE_SHUTDOWN_WAIT_MS);
      mapping.close();
      await (dispatcher as AlertDispatcher | null)?.close(ALERT_DRAIN_MS);
      for (const repository of scimRepositories.values()) await repository.close();
      await store.close();
    },
  };
}

export type Runtime = Awaited<ReturnType<typeof createRuntime>>;

const NOTICE_SHUTDOWN_WAIT_MS = 10_000;

/** The e-mail notifier when `notifications.email` is configured (opt-in), its template checked at start-up. */
function createNotifier(
  config: RunConfig,
  secrets: Record<string, string>,
  resolve: (p: string) => string,
  logger: Logger,
): { notifier: EmailNotifier; template: NoticeTemplate; contact: string } | null {
  const email = config.notifications?.email;
  if (!email) return null;
  let template: NoticeTemplate;
  try {
    template = readNoticeTemplate(email.template ? resolve(email.template) : null);
  } catch (err) {
    throw new ConfigError([(err as Error).message]);
  }
  const contact = email.replyTo ?? email.from;
  const notifier = createEmailNotifier({
    smtpUrl: secrets[email.smtpUrlEnv]!,
    from: email.from,
    replyTo: contact,
    attempts: email.attempts,
    retryDelayMs: email.retryDelayMs,
    logger: logger.child({ component: 'notices' }),
    onDelivery: createNoticeMetrics(metricsRegistry),
  });
  return { notifier, template, contact };
}

/**
 * A scim source's repository beside the store: the first source's in the store's own file or database (as with one
 * source); each other one apart (`<store>.scim-<name>.db`, or schema `scim_<name>` in PostgreSQL), so that two
 * IdPs' userNames, groups and first-push state never mix.
 */
async function openScimRepository(
  config: Config,
  env: NodeJS.ProcessEnv,
  resolve: (p: string) => string,
  logger: Logger,
  name: string,
  first: boolean,
): Promise<ScimRepository> {
  const pg = postgresConnection(config, env);
  if (pg) return openPostgresScimRepository(pg, { logger, source: name, ...(!first && { schema: `scim_${name}` }) });
  return openSqliteScimRepository(scimStoreFile(resolve(config.store.sqlite), name, first), { source: name });
}

/**
 * Where a scim source's pushed users and groups live: the first scim source's in the store's own file (as with
 * one source); each other one in its own file beside it, `<store>.scim-<name>.db`, so that two IdPs' userNames,
 * groups and first-push state never mix.
 */
export function scimStoreFile(storeFile: string, sourceName: string, first: boolean): string {
  if (first || storeFile === ':memory:') return storeFile;
  const ext = path.extname(storeFile);
  return `${storeFile.slice(0, storeFile.length - ext.length)}.scim-${sourceName}${ext || '.db'}`;
}

function secretsNeeded(config: RunConfig): SecretRef[] {
  const needed = [{ key: 'target.tokenEnv', variable: config.target.tokenEnv }];
  // a run journals what it did: without the key it would fail after writing to Heap, so it does not start
  if (config.journal.keyEnv) needed.push({ key: 'journal.keyEnv', variable: config.journal.keyEnv });
  if (config.notifications?.email) {
    needed.push({ key: 'notifications.email.smtpUrlEnv', variable: config.notifications.email.smtpUrlEnv });
  }
  config.sources.forEach((s, i) => {
    if (s.type === 'okta' && s.tokenEnv) needed.push({ key: `sources[${i}].tokenEnv`, variable: s.tokenEnv });
    if (s.type === 'okta' && s.privateKeyEnv)
      needed.push({ key: `sources[${i}].privateKeyEnv`, variable: s.privateKeyEnv });
    if (s.type === 'entra' && s.clientSecretEnv)
      needed.push({ key: `sources[${i}].clientSecretEnv`, variable: s.clientSecretEnv });
    if (s.type === 'entra' && s.certificatePathEnv) {
      needed.push({ key: `sources[${i}].certificatePathEnv`, variable: s.certificatePathEnv });
    }
  });
  return needed;
}

/** The Okta and Graph SDKs load only when a source needs them: every CLI command starts faster without them. */
async function buildSource(
  s: SourceConfig,
  ctx: {
    resolve: (p: string) => string;
    secrets: Record<string, string>;
    logger: Logger;
    store: Store;
    scimRepository: ScimRepository | null;
  },
): Promise<IdentitySource> {
  const name = sourceName(s);
  const logger = ctx.logger.child({ component: 'source', source: name });
  switch (s.type) {
    case 'file':
      return createFileSource({ name, path: ctx.resolve(s.path) });
    case 'scim':
      return createScimIdentitySource(ctx.scimRepository!, { name });
    case 'okta': {
      const { createOktaSource } = await import('./sources/okta/create-okta-source.js');
      return createOktaSource({
        name,
        orgUrl: s.orgUrl,
        ...(s.tokenEnv && { token: ctx.secrets[s.tokenEnv]! }),
        ...(s.clientId &&
          s.privateKeyEnv && {
            oauth: {
              clientId: s.clientId,
              privateKey: ctx.secrets[s.privateKeyEnv]!,
              ...(s.keyId && { keyId: s.keyId }),
            },
          }),
        ...(s.groupPrefix !== undefined && { groupPrefix: s.groupPrefix }),
        ...(s.groups && { groups: s.groups }),
        concurrency: s.concurrency,
        credentialVariable: (s.tokenEnv ?? s.privateKeyEnv)!,
        logger,
      });
    }
    case 'entra': {
      const { createEntraSource } = await import('./sources/graph/create-entra-source.js');
      return createEntraSource({
        name,
        tenantId: s.tenantId,
        clientId: s.clientId,
        ...(s.clientSecretEnv && { clientSecret: ctx.secrets[s.clientSecretEnv]! }),
        ...(s.certificatePathEnv && { certificate: readCertificate(ctx.secrets[s.certificatePathEnv]!) }),
        authorityHost: s.authorityHost,
        graphBaseUrl: s.graphBaseUrl,
        ...(s.groupPrefix !== undefined && { groupPrefix: s.groupPrefix }),
        ...(s.groupIds && { groupIds: s.groupIds }),
        transitive: s.transitive,
        delta: s.delta,
        credentialVariable: (s.clientSecretEnv ?? s.certificatePathEnv)!,
        stateStore: {
          get: async () => (await ctx.store.getSourceState(name))?.data ?? null,
          put: async (data: unknown) =>
            ctx.store.putSourceState({ ...((await ctx.store.getSourceState(name)) ?? { source: name }), data }),
        },
        logger,
      });
    }
  }
}

/** A PEM file holding the private key and certificate; the thumbprint is derived from the certificate. */
function readCertificate(file: string): { privateKeyPem: string; thumbprint: string } {
  const pem = fs.readFileSync(file, 'utf8');
  const certMatch = /-----BEGIN CERTIFICATE-----[\s\S]+?-----END CERTIFICATE-----/.exec(pem);
  const keyMatch = /-----BEGIN (?:RSA )?PRIVATE KEY-----[\s\S]+?-----END (?:RSA )?PRIVATE KEY-----/.exec(pem);
  if (!certMatch || !keyMatch) throw new Error(`${file}: expected a PEM with a certificate and a private key`);
  const thumbprint = new X509Certificate(certMatch[0]).fingerprint256.replace(/:/g, '');
  return { privateKeyPem: keyMatch[0], thumbprint };
}

export type { LoadedConfig };
