import type { RequestHandler } from 'express';
import { z } from 'zod';
import { ConfigError } from '../domain/errors.js';
import { toErrorBody } from './scim/errors.js';
import { sendScim } from './scim/respond.js';
import type { TrafficCounts } from './traffic.js';

const EMPTY: TrafficCounts = { reads: 0, writes: 0, writesChanged: 0 };

export type FaultKind = '500' | '429' | 'stall';

/** Injected failures, for tests of retries, partial runs and convergence. Repeatable: the PRNG is seeded. */
export interface FaultOptions {
  /** share of SCIM writes (0..1) that fail */
  share: number;
  /** what a failing request does; one is picked per fault. Default ['500']. */
  kinds?: FaultKind[];
  /** PRNG seed; the same seed and request order fail the same requests. Default 1. */
  seed?: number;
  /** how long a stalled request hangs before it is processed. Default 30 s. */
  stallMs?: number;
  /** the Retry-After of a 429, in seconds. Default 1. */
  retryAfterSeconds?: number;
  /** fault reads (GET, .search) too. Default false. */
  reads?: boolean;
}

export const faultOptionsSchema = z.strictObject({
  share: z.number().min(0).max(1),
  kinds: z
    .array(z.enum(['500', '429', 'stall']))
    .min(1)
    .optional(),
  seed: z.number().int().optional(),
  stallMs: z.number().int().min(0).optional(),
  retryAfterSeconds: z.number().int().min(0).optional(),
  reads: z.boolean().optional(),
});

/** Reads `STAND_IN_FAULTS` (JSON); every problem is reported at once. */
export function parseFaults(json: string, origin = 'STAND_IN_FAULTS'): FaultOptions {
  let raw: unknown;
  try {
    raw = JSON.parse(json);
  } catch (err) {
    throw new ConfigError([`${origin}: not valid JSON (${(err as Error).message})`]);
  }
  const parsed = faultOptionsSchema.safeParse(raw);
  if (!parsed.success) {
    throw new ConfigError(
      parsed.error.issues.map((i) => `${origin}${i.path.length ? `.${i.path.join('.')}` : ''}: ${i.message}`),
    );
  }
  return parsed.data as FaultOptions;
}

/** mulberry32: tiny, seedable, good enough to pick which requests fail. */
function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export interface TrafficStats extends TrafficCounts {
  faults: Record<FaultKind, number>;
  /** stalled requests that were processed once their stall ended (a client may have given up long before) */
  stalledApplied: number;
}

export type FaultInjector = ReturnType<typeof createFaultInjector>;

/** Fails a seeded share of SCIM traffic; its stats add the traffic counts. */
export function createFaultInjector(initial?: FaultOptions, traffic: () => TrafficCounts = () => EMPTY) {
  let options: FaultOptions | undefined;
  let random = prng(1);
  let closed = false;
  const stalled = new Set<NodeJS.Timeout>();
  const faults: Record<FaultKind, number> = { '500': 0, '429': 0, stall: 0 };
  let stalledApplied = 0;

  const set = (next: FaultOptions | undefined) => {
    options = next && next.share > 0 ? next : undefined;
    random = prng(next?.seed ?? 1);
  };
  set(initial);

  const middleware: RequestHandler = (req, res, next) => {
    const write = req.method !== 'GET' && req.method !== 'HEAD' && !req.path.endsWith('/.search');
    if (!options || !(write || options.reads) || random() >= options.share) return next();
    const kinds = options.kinds?.length ? options.kinds : (['500'] as FaultKind[]);
    const kind = kinds[Math.floor(random() * kinds.length)] ?? '500';
    faults[kind]++;
    if (kind === '500') return sendScim(res, 500, toErrorBody(500, 'injected fault: internal error'));
    if (kind === '429') {
      res.set('Retry-After', String(options.retryAfterSeconds ?? 1));
      return sendScim(res, 429, toErrorBody(429, 'injected fault: too many requests'));
    }
    // the request is processed after the stall even if the client gave up: as a real slow server would
    const timer = setTimeout(() => {
      stalled.delete(timer);
      if (closed) return;
      stalledApplied++;
      next();
    }, options.stallMs ?? 30_000);
    stalled.add(timer);
  };

  return {
    middleware,
    set,
    get: (): FaultOptions | undefined => options,
    stats: (): TrafficStats => ({ ...traffic(), faults: { ...faults }, stalledApplied }),
    close() {
      closed = true;
      for (const t of stalled) clearTimeout(t);
      stalled.clear();
    },
  };
}
