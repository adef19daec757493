import type { Logger } from 'pino';
import { pino } from 'pino';
import { ConfigError } from '../../domain/errors.js';
import type { IdentitySource, SourceSnapshot } from '../../ports/identity-source.js';
import { SourceReadError } from '../../ports/identity-source.js';
import { DEFAULT_BACKOFF } from '../shared/backoff.js';
import { parseStoredState } from './delta-state.js';
import { asGraphFailure, createGraphApi, describeGraphError } from './graph-api.js';
import { createMsalTokenProvider } from './msal-token-provider.js';
import { readDeltaRound } from './read-delta.js';
import { readFullDirectory } from './read-full.js';
import { NoMatchingGroupsError, selectSnapshot, UnknownGroupsError } from './select-snapshot.js';

/** Where the delta state lives between reads (the store, in production); JSON in and out. */
export interface DeltaStateStore {
  get(): Promise<unknown | null> | unknown | null;
  put(state: unknown): Promise<void> | void;
}

export interface EntraSourceOptions {
  /** the source's name in the config; default 'entra' */
  name?: string;
  tenantId: string;
  clientId: string;
  clientSecret?: string;
  /** certificate credentials instead of a secret: PEM private key and the certificate's hex thumbprint */
  certificate?: { privateKeyPem: string; thumbprint: string };
  /** e.g. https://login.microsoftonline.com */
  authorityHost: string;
  /** e.g. https://graph.microsoft.com */
  graphBaseUrl: string;
  groupPrefix?: string;
  groupIds?: string[];
  /** members of nested groups count as members (Entra's own provisioning ignores nesting); default false */
  transitive?: boolean;
  /** delta queries after a first full round; default true */
  delta?: boolean;
  /** keeps delta links and the rebuilt directory between reads; without it they live in memory */
  stateStore?: DeltaStateStore;
  logger?: Logger;
  /** groups whose members are read at the same time (full reads); default 4 */
  concurrency?: number;
  /** retries of 500/502, network errors and timeouts; default 4 retries, 500 ms base, 8 s cap, full jitter */
  retry?: { retries?: number; baseDelayMs?: number; maxDelayMs?: number };
  /** retries of 429/503/504 by the Graph SDK, which honours Retry-After; default 5 */
  throttleRetries?: number;
  /** per network attempt; default 30 s */
  requestTimeoutMs?: number;
  /** the variable holding the secret or certificate (`ENTRA_CLIENT_SECRET`), named when sign-in fails */
  credentialVariable?: string;
}

/**
 * Microsoft Entra ID as an identity source: msal-node client credentials and the Graph SDK. With delta (the
 * default) the first read walks groups/delta and users/delta and later reads only follow their delta links,
 * two requests when nothing changed; users/delta is what keeps accountEnabled and mail current, since group deltas
 * carry membership only. Without delta, every read lists the selected groups and their members.
 */
export function createEntraSource(options: EntraSourceOptions): IdentitySource {
  const name = options.name ?? 'entra';
  if (options.clientSecret === undefined && options.certificate === undefined) {
    throw new ConfigError([`source ${name}: a client secret or a certificate is needed`]);
  }
  // main.ts hands in a child logger already bound to this source
  const log = options.logger ?? pino({ level: 'silent' });
  const graphOrigin = new URL(options.graphBaseUrl).origin;
  const tokens = createMsalTokenProvider(options, [`${graphOrigin}/.default`]);
  const api = createGraphApi({
    baseUrl: graphOrigin,
    getAccessToken: () =>
      tokens.getAccessToken().catch((err: unknown) => {
        throw new EntraSignInError(err);
      }),
    throttleRetries: options.throttleRetries ?? 5,
    throttleDelaySeconds: 3,
    backoff: { ...DEFAULT_BACKOFF, ...options.retry },
    attemptTimeoutMs: options.requestTimeoutMs ?? 30_000,
    log,
  });
  const selection = {
    ...(options.groupPrefix !== undefined && { groupPrefix: options.groupPrefix }),
    ...(options.groupIds !== undefined && { groupIds: options.groupIds }),
  };
  const transitive = options.transitive ?? false;
  let memoryState: unknown = null;
  let queue: Promise<unknown> = Promise.resolve();

  async function readDirectory(signal: AbortSignal) {
    if (options.delta === false) {
      return readFullDirectory(api, { selection, transitive, concurrency: options.concurrency ?? 4, signal });
    }
    const previous = parseStoredState(options.stateStore ? await options.stateStore.get() : memoryState, graphOrigin);
    const { directory, stored, round } = await readDeltaRound(api, previous, log, signal);
    if (options.stateStore) await options.stateStore.put(stored);
    else memoryState = stored;
    log.debug({ round }, 'entra delta round complete');
    return directory;
  }

  async function readOnce(callerSignal: AbortSignal | undefined): Promise<SourceSnapshot> {
    const started = api.requests;
    // aborted when the read fails, so member reads still in flight stop instead of running on
    const stop = new AbortController();
    const signal = callerSignal ? AbortSignal.any([callerSignal, stop.signal]) : stop.signal;
    try {
      const directory = await readDirectory(signal);
      // full reads have flattened transitive members already
      const snapshot = selectSnapshot(directory, {
        selection,
        transitive: transitive && options.delta !== false,
        sourceName: name,
      });
      if (snapshot.unknownMembers > 0)
        log.warn({ unknownMembers: snapshot.unknownMembers }, 'group members without a user record were left out');
      const requests = api.requests - started;
      log.debug({ users: snapshot.users.length, groups: snapshot.groups.length, requests }, 'entra read complete');
      return { users: snapshot.users, groups: snapshot.groups, requests };
    } catch (err) {
      stop.abort(new Error('read failed'));
      if (err instanceof SourceReadError) throw err;
      throw new SourceReadError(name, describeEntraError(err, options, graphOrigin), err);
    }
  }

  return {
    name,
    type: 'entra',
    read(readOptions = {}) {
      // one read at a time per source: delta rounds must not interleave
      const run = queue.then(() => readOnce(readOptions.signal));
      queue = run.catch(() => undefined);
      return run;
    },
  };
}

/** A token the client credentials could not get: the secret, the certificate or the app registration is wrong. */
class EntraSignInError extends Error {
  constructor(override readonly cause: unknown) {
    super(cause instanceof Error ? cause.message.split('\n')[0] : String(cause));
    this.name = 'EntraSignInError';
  }
}

/** Which system failed, where, and the variable to check when it refused our credentials. */
function describeEntraError(err: unknown, options: EntraSourceOptions, graphOrigin: string): string {
  const check = options.credentialVariable ? ` (check ${options.credentialVariable})` : '';
  const failure = asGraphFailure(err);
  // the Graph client wraps what the token callback threw in a GraphError named after it (status -1)
  if (err instanceof EntraSignInError || failure?.code === EntraSignInError.name) {
    const message = err instanceof Error ? err.message : String(err);
    return `Entra ID sign-in at ${options.authorityHost} (tenant ${options.tenantId}) failed: ${message}${check}`;
  }
  if (err instanceof UnknownGroupsError || err instanceof NoMatchingGroupsError) return err.message;
  const refused = failure?.statusCode === 401 || failure?.statusCode === 403;
  const hint = refused ? " (check the app's Graph permissions GroupMember.Read.All and User.Read.All)" : '';
  return `Microsoft Graph at ${graphOrigin}: ${describeGraphError(err)}${hint}`;
}
