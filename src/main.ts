import fs from 'node:fs';
import { X509Certificate } from 'node:crypto';
import path from 'node:path';
import { pino, type Logger } from 'pino';
import { loadConfig, requireEnv, sourceName, type LoadedConfig } from './config/load.js';
import type { Config, SourceConfig } from './config/schema.js';
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
import { createScimTarget } from './targets/scim/index.js';
import { createExceptionService } from './services/exceptions.js';
import { createMappingHolder } from './services/mapping-holder.js';
import { createSyncService, type SyncHooks } from './services/sync.js';

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

export function createLogger(level: string, destination: 'stdout' | 'stderr' = 'stderr'): Logger {
  return pino(
    { level, redact: { paths: REDACT, censor: '[redacted]' } },
    pino.destination(destination === 'stdout' ? 1 : 2),
  );
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
  clock?: Clock;
  hooks?: SyncHooks;
  /** adjusts the loaded config before anything is built (the demo points the target at its own stand-in) */
  configure?: (loaded: LoadedConfig) => void;
}

/** The only place that wires concrete adapters together. */
export async function createRuntime(options: RuntimeOptions = {}) {
  const env = options.env ?? process.env;
  const loaded = loadConfig({
    ...(options.configFile && { file: options.configFile }),
    env,
    ...(options.cwd && { cwd: options.cwd }),
  });
  options.configure?.(loaded);
  const { config } = loaded;
  const logger = options.logger ?? createLogger(config.logLevel);
  const clock = options.clock ?? clockFromEnv(env);
  const resolve = (p: string) => path.resolve(loaded.baseDir, p);
  const secrets = requireEnv(env, secretsNeeded(config));

  const mapping = await createMappingHolder(resolve(config.mappings), { logger, now: () => clock.now() });
  const storePath = resolve(config.store.sqlite);
  const store: Store = openSqliteStore(storePath, { logger });
  let scimRepository: ScimRepository | null = null;
  const sources: IdentitySource[] = [];
  for (const s of config.sources) {
    if (s.type === 'scim') scimRepository ??= openSqliteScimRepository(storePath);
    sources.push(await buildSource(s, { resolve, secrets, logger, store, scimRepository }));
  }
  const target: AccessTarget = createScimTarget({
    url: config.target.url,
    token: secrets[config.target.tokenEnv]!,
    roleEncoding: config.target.roleEncoding,
    timeoutMs: config.target.timeoutMs,
    retries: config.target.retries,
    pageSize: config.target.pageSize,
    logger: logger.child({ component: 'target' }),
  });
  const sync = createSyncService({
    store,
    sources,
    target,
    mapping: mapping.current,
    clock,
    applyConcurrency: config.target.applyConcurrency,
    logger: logger.child({ component: 'sync' }),
    ...(options.hooks && { hooks: options.hooks }),
  });
  const exceptions = createExceptionService({ store, clock, mapping: mapping.current });
  return {
    config,
    loaded,
    logger,
    clock,
    secrets,
    store,
    sources,
    scimRepository: scimRepository as ScimRepository | null,
    target,
    mapping,
    sync,
    exceptions,
    async close() {
      mapping.close();
      await (scimRepository as ScimRepository | null)?.close();
      await store.close();
    },
  };
}

export type Runtime = Awaited<ReturnType<typeof createRuntime>>;

function secretsNeeded(config: Config): { key: string; variable: string }[] {
  const needed = [{ key: 'target.tokenEnv', variable: config.target.tokenEnv }];
  config.sources.forEach((s, i) => {
    if (s.type === 'okta' && s.tokenEnv) needed.push({ key: `sources.${i}.tokenEnv`, variable: s.tokenEnv });
    if (s.type === 'okta' && s.privateKeyEnv)
      needed.push({ key: `sources.${i}.privateKeyEnv`, variable: s.privateKeyEnv });
    if (s.type === 'entra' && s.clientSecretEnv)
      needed.push({ key: `sources.${i}.clientSecretEnv`, variable: s.clientSecretEnv });
    if (s.type === 'entra' && s.certificatePathEnv) {
      needed.push({ key: `sources.${i}.certificatePathEnv`, variable: s.certificatePathEnv });
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
