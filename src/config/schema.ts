import { z } from 'zod';
import { ROLES } from '../domain/role.js';

/** Keys ending in `Env` name the environment variable that holds a secret: secrets are never in the file. */
const envName = z.string().regex(/^[A-Za-z_][A-Za-z0-9_]*$/, 'must be an environment variable name');

export const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const;
export type LogLevel = (typeof LOG_LEVELS)[number];

const fileSource = z.strictObject({
  type: z.literal('file'),
  name: z.string().optional(),
  path: z.string().min(1),
});
/**
 * An IdP pushing over SCIM to `/scim/v2`. Several may be configured (Okta and Entra): each needs its own name and
 * token variable; the token an IdP presents picks its source (checked in config/load.ts).
 */
const scimSource = z.strictObject({
  type: z.literal('scim'),
  name: z.string().optional(),
  /** the variable holding the bearer token this source's IdP presents */
  tokenEnv: envName.default('SCIM_TOKEN'),
  /** debounce window for the incremental run a push triggers */
  debounceMs: z.number().int().min(0).max(600_000).default(2000),
});
const oktaSource = z.strictObject({
  type: z.literal('okta'),
  name: z.string().optional(),
  orgUrl: z.url(),
  tokenEnv: envName.optional(),
  /** OAuth 2.0 private-key client credentials instead of an API token */
  clientId: z.string().optional(),
  privateKeyEnv: envName.optional(),
  keyId: z.string().optional(),
  groupPrefix: z.string().optional(),
  groups: z.array(z.string()).optional(),
  concurrency: z.number().int().min(1).max(16).default(4),
});
const entraSource = z.strictObject({
  type: z.literal('entra'),
  name: z.string().optional(),
  tenantId: z.string().min(1),
  clientId: z.string().min(1),
  clientSecretEnv: envName.optional(),
  certificatePathEnv: envName.optional(),
  /** overrides for sovereign clouds and tests */
  authorityHost: z.url().default('https://login.microsoftonline.com'),
  graphBaseUrl: z.url().default('https://graph.microsoft.com'),
  groupPrefix: z.string().optional(),
  groupIds: z.array(z.string()).optional(),
  transitive: z.boolean().default(false),
  delta: z.boolean().default(true),
});

export const sourceSchema = z.discriminatedUnion('type', [fileSource, scimSource, oktaSource, entraSource]);

const scimTarget = z.strictObject({
  type: z.literal('scim'),
  url: z.url(),
  tokenEnv: envName.default('HEAP_SCIM_TOKEN'),
  /**
   * what Heap's SCIM endpoint carries: `full` (roles in SCIM `roles`, as the stand-in speaks) or `heap-documented`
   * (Heap's documented SCIM: users and Teams; roles, projects and modules are changed in Heap's UI)
   */
  profile: z.enum(['full', 'heap-documented']).default('full'),
  /** writes per second to Heap (Heap publishes no limit); slowed down on 429, recovered slowly */
  writesPerSecond: z.number().positive().max(10_000).default(5),
  /**
   * Heap's admin API (activity log, Team bindings): the stand-in's `/api`. Absent: beside `/scim/v2` for the `full`
   * profile (the embedded stand-in), none for `heap-documented` (real Heap has none); null: none.
   */
  adminApiUrl: z.url().nullable().optional(),
  /** how entitlements are written as SCIM `roles` values; `{project}`, `{module}`, `{value}` are replaced */
  roleEncoding: z
    .strictObject({
      org: z.string().default('org:{value}'),
      project: z.string().default('project:{project}:{value}'),
      module: z.string().default('module:{module}:{project}:{value}'),
    })
    .default({ org: 'org:{value}', project: 'project:{project}:{value}', module: 'module:{module}:{project}:{value}' }),
  timeoutMs: z.number().int().min(100).default(15_000),
  retries: z.number().int().min(0).max(10).default(4),
  pageSize: z.number().int().min(1).max(1000).default(200),
  /** users whose changes are written at the same time during a run (Heap's rate limits decide how high) */
  applyConcurrency: z.number().int().min(1).max(32).default(4),
});

const webhookAlert = z.strictObject({ type: z.literal('webhook'), url: z.url(), secretEnv: envName.optional() });
const slackAlert = z.strictObject({ type: z.literal('slack'), urlEnv: envName });
const logAlert = z.strictObject({ type: z.literal('log') });
export const alertSchema = z.discriminatedUnion('type', [webhookAlert, slackAlert, logAlert]);

/** E-mail to each person whose access a run changed (opt-in): Heap's guide, step 6 "Notify the user". */
export const emailNoticeSchema = z.strictObject({
  /** the variable holding the SMTP URL, e.g. smtp://user:password@mail.example.com:587 */
  smtpUrlEnv: envName,
  from: z.string().min(3),
  /** whom people ask about the change; default `from` */
  replyTo: z.string().min(3).optional(),
  /** a text file replacing the built-in message: `Subject: …` first line, then the body, with {{placeholders}} */
  template: z.string().min(1).optional(),
  /** attempts per message before it counts as failed */
  attempts: z.number().int().min(1).max(10).default(4),
  /** the first retry's delay; each next one doubles it */
  retryDelayMs: z.number().int().min(0).default(5_000),
});

/** A named service account for automation: its token's variable and what it may do (DESIGN §14). */
const serviceAccount = z.strictObject({
  /** recorded as the actor of everything the account does */
  name: z.string().regex(/^[A-Za-z0-9][A-Za-z0-9._@-]{0,63}$/, 'must be 1-64 letters, digits, ".", "_", "@" or "-"'),
  tokenEnv: envName,
  role: z.enum(ROLES),
});

/**
 * People sign in to the dashboard with their IdP (OpenID Connect, authorization code + PKCE); the groups claim
 * gives the role (the strongest group that matches), and the actor recorded is their e-mail.
 */
const oidcSignIn = z.strictObject({
  issuer: z.url(),
  clientId: z.string().min(1),
  /** absent: a public client, PKCE alone */
  clientSecretEnv: envName.optional(),
  /** the button's "Sign in with …"; default from the issuer (Okta, Microsoft) */
  label: z.string().min(1).max(40).optional(),
  /** Okta sends the groups claim for a `groups` scope its authorization server defines; Entra needs none */
  scopes: z.array(z.string().min(1)).default(['openid', 'email', 'profile']),
  groupsClaim: z.string().min(1).default('groups'),
  adminGroups: z.array(z.string().min(1)).default([]),
  approverGroups: z.array(z.string().min(1)).default([]),
  viewerGroups: z.array(z.string().min(1)).default([]),
  /** a session lasts this long; the role is re-read from the groups at the next sign-in */
  sessionHours: z
    .number()
    .positive()
    .max(24 * 7)
    .default(8),
});

/** Keys a command that reads the sources or writes to Heap needs; never defaulted (DESIGN §10: no silent example data). */
export const RUN_KEYS = ['mappings', 'sources', 'target'] as const;
export type RunKey = (typeof RUN_KEYS)[number];

export const configSchema = z.strictObject({
  mappings: z.string().min(1).optional(),
  store: z
    .strictObject({
      /** the embedded store's file; used unless `postgres` is given */
      sqlite: z.string().min(1).default('./data/heap-access-sync.db'),
      /** several replicas on one PostgreSQL database (DESIGN §13); the URL is read from the named variable */
      postgres: z
        .strictObject({
          urlEnv: envName.default('DATABASE_URL'),
          /** connections per pool (a replica opens one for the store, one for SCIM, one for the queue) */
          poolSize: z.number().int().min(1).max(100).default(5),
        })
        .optional(),
    })
    .default({ sqlite: './data/heap-access-sync.db' }),
  sources: z.array(sourceSchema).min(1, 'at least one source is needed').optional(),
  target: scimTarget.optional(),
  server: z
    .strictObject({
      host: z.string().default('127.0.0.1'),
      port: z.number().int().min(0).max(65535).default(8080),
      adminTokenEnv: envName.default('ADMIN_TOKEN'),
      viewerTokenEnv: envName.default('VIEWER_TOKEN'),
      /** named service accounts beside the `admin` (ADMIN_TOKEN) and `viewer` (VIEWER_TOKEN) accounts */
      tokens: z.array(serviceAccount).default([]),
      oidc: oidcSignIn.optional(),
      bodyLimit: z.string().default('1mb'),
      /** the URL IdPs reach this service at (SCIM meta.location); default http://host:port */
      publicUrl: z.url().optional(),
      /** this replica's name in /readyz and metrics (default: the host name; HEAP_ACCESS_SYNC_REPLICA overrides) */
      replica: z.string().min(1).optional(),
      /** /readyz answers without a token (for Kubernetes probes); it then shows only ok / not ready */
      publicReadiness: z.boolean().default(false),
    })
    .default({
      host: '127.0.0.1',
      port: 8080,
      adminTokenEnv: 'ADMIN_TOKEN',
      viewerTokenEnv: 'VIEWER_TOKEN',
      tokens: [],
      bodyLimit: '1mb',
      publicReadiness: false,
    }),
  schedule: z.string().nullable().default('*/30 * * * *'),
  /**
   * The journal's key (HMAC-SHA256 of every record, and the checkpoints' signature) and where each run's signed head
   * is written, so a copy of the head lives outside the database and truncation shows.
   */
  journal: z.strictObject({ keyEnv: envName.optional(), checkpointFile: z.string().min(1).optional() }).default({}),
  alerts: z.array(alertSchema).default([{ type: 'log' }]),
  notifications: z.strictObject({ email: emailNoticeSchema.optional() }).optional(),
  /** access reviews started on a schedule (a cron expression; quarterly: minute 0, hour 9, day 1, every 3rd month) */
  reviews: z
    .strictObject({
      schedule: z.string().min(1).nullable().default(null),
      reviewers: z.array(z.string().min(3)).min(1),
      due: z.string().min(1).default('14d'),
      project: z.string().min(1).optional(),
    })
    .optional(),
  /** the log level of `serve`; the other commands log warnings and errors unless --log-level says otherwise */
  logLevel: z.enum(LOG_LEVELS).default('info'),
});

export type Config = z.infer<typeof configSchema>;
export type SourceConfig = z.infer<typeof sourceSchema>;
export type AlertConfig = z.infer<typeof alertSchema>;
export type EmailNoticeConfig = z.infer<typeof emailNoticeSchema>;
export type ServerConfig = Config['server'];
export type OidcConfig = NonNullable<ServerConfig['oidc']>;
export type TargetConfig = NonNullable<Config['target']>;
/** A config with every key a run needs (`requireRunKeys`). */
export type RunConfig = Config & { mappings: string; sources: SourceConfig[]; target: TargetConfig };
