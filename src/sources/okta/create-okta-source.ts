import { Client } from '@okta/okta-sdk-nodejs';
import type { Logger } from 'pino';
import { pino } from 'pino';
import { ConfigError } from '../../domain/errors.js';
import type { IdentitySource, SourceSnapshot } from '../../ports/identity-source.js';
import { SourceReadError } from '../../ports/identity-source.js';
import { DEFAULT_BACKOFF } from '../shared/backoff.js';
import { PacedRequestExecutor } from './paced-request-executor.js';
import { RateGovernor } from './rate-governor.js';
import { readOktaDirectory } from './read-okta-directory.js';

export interface OktaSourceOptions {
  /** the source's name in the config; default 'okta' */
  name?: string;
  orgUrl: string;
  /** API token (SSWS) */
  token?: string;
  /** OAuth 2.0 client credentials with a private key (private_key_jwt), instead of an API token */
  oauth?: { clientId: string; privateKey: string; keyId?: string; scopes?: string[] };
  groupPrefix?: string;
  /** group ids or exact names */
  groups?: string[];
  /** groups whose members are read at the same time; default 4 */
  concurrency?: number;
  logger?: Logger;
  /** retries of 5xx, network errors and timeouts; default 4 retries, 500 ms base, 8 s cap, full jitter */
  retry?: { retries?: number; baseDelayMs?: number; maxDelayMs?: number };
  /** per network attempt; default 30 s */
  requestTimeoutMs?: number;
  /** share of each endpoint's budget left unused for the org's other clients; default 0.1 */
  rateLimitReserve?: number;
  /** the variable holding the credential (`OKTA_API_TOKEN`), named when Okta refuses it */
  credentialVariable?: string;
}

const DEFAULT_SCOPES = ['okta.groups.read', 'okta.users.read'];

/** Okta as an identity source, through the official SDK: selected groups, their members, each member's status. */
export function createOktaSource(options: OktaSourceOptions): IdentitySource {
  const name = options.name ?? 'okta';
  if (!options.token && !options.oauth)
    throw new ConfigError([`source ${name}: an API token or OAuth credentials are needed`]);
  // main.ts hands in a child logger already bound to this source
  const log = options.logger ?? pino({ level: 'silent' });
  const governor = new RateGovernor({
    reserveFraction: options.rateLimitReserve ?? 0.1,
    onPause: (p) => log.info(p, 'okta rate limit nearly spent; waiting for the window to reset'),
  });
  const executor = new PacedRequestExecutor({
    governor,
    backoff: { ...DEFAULT_BACKOFF, ...options.retry },
    attemptTimeoutMs: options.requestTimeoutMs ?? 30_000,
    rateLimitRetries: 3,
    log,
  });
  const client = new Client({
    orgUrl: options.orgUrl,
    // collections are never cached, and a stale single GET would be worse than a second request
    cacheMiddleware: null,
    requestExecutor: executor,
    ...(options.oauth
      ? {
          authorizationMode: 'PrivateKey',
          clientId: options.oauth.clientId,
          scopes: options.oauth.scopes ?? DEFAULT_SCOPES,
          privateKey: options.oauth.privateKey,
          ...(options.oauth.keyId !== undefined && { keyId: options.oauth.keyId }),
        }
      : { authorizationMode: 'SSWS', token: options.token }),
  });
  const selection = {
    ...(options.groupPrefix !== undefined && { groupPrefix: options.groupPrefix }),
    ...(options.groups !== undefined && { groups: options.groups }),
  };
  let queue: Promise<unknown> = Promise.resolve();

  async function readOnce(callerSignal: AbortSignal | undefined): Promise<SourceSnapshot> {
    const started = executor.requests;
    // aborted when the read fails, so member reads still in flight stop instead of running on
    const stop = new AbortController();
    executor.signal = callerSignal ? AbortSignal.any([callerSignal, stop.signal]) : stop.signal;
    try {
      const directory = await readOktaDirectory(client, {
        sourceName: name,
        selection,
        concurrency: options.concurrency ?? 4,
      });
      const requests = executor.requests - started;
      log.debug({ users: directory.users.length, groups: directory.groups.length, requests }, 'okta read complete');
      return { ...directory, requests };
    } catch (err) {
      stop.abort(new Error('read failed'));
      if (err instanceof SourceReadError) throw err;
      throw new SourceReadError(name, `Okta at ${options.orgUrl}: ${describeOktaError(err, options)}`, err);
    }
  }

  return {
    name,
    type: 'okta',
    read(readOptions = {}) {
      // one read at a time per source: the executor's signal and request count belong to the running read
      const run = queue.then(() => readOnce(readOptions.signal));
      queue = run.catch(() => undefined);
      return run;
    },
  };
}

function describeOktaError(err: unknown, options: OktaSourceOptions): string {
  if (!(err instanceof Error)) return String(err);
  const status = (err as { status?: unknown }).status;
  const code = (err as { code?: unknown }).code;
  if (typeof status !== 'number') {
    // node-fetch's FetchError repeats the whole URL; its code (ECONNREFUSED, ENOTFOUND) says what happened
    return err.name === 'FetchError' && typeof code === 'string'
      ? `cannot reach it (${code})`
      : `${err.name}: ${err.message}`;
  }
  const refused = (status === 401 || status === 403) && options.credentialVariable;
  // the SDK's message starts with "Okta HTTP <status>" already
  const text = err.message.replace(/^Okta HTTP \d+\s*/, '').trim();
  return `HTTP ${status}: ${text}${refused ? ` (check ${options.credentialVariable})` : ''}`;
}
