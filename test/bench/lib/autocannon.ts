/** The part of autocannon's API the benchmarks use (it ships no types, and @types/autocannon is not a dependency). */
import { createRequire } from 'node:module';

export interface CannonRequest {
  method?: string;
  path?: string;
  body?: string;
  headers?: Record<string, string>;
}

export interface CannonOptions {
  url: string;
  connections?: number;
  duration?: number;
  headers?: Record<string, string>;
  requests?: (CannonRequest & { setupRequest?: (req: CannonRequest) => CannonRequest })[];
}

export interface CannonResult {
  requests: { average: number };
  latency: { p50: number; p99: number };
  non2xx: number;
  errors: number;
}

export const autocannon = createRequire(import.meta.url)('autocannon') as (
  options: CannonOptions,
) => Promise<CannonResult>;
