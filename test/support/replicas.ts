import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { runCli, type CliResult } from './cli.js';
import { SCIM_TOKEN as HEAP_TOKEN, type Directory } from './e2e-setup.js';
import { createTestDatabase, type TestDatabase } from './postgres.js';
import { startServeProcess, type ServeProcess } from './serve-process.js';
import { startTestStandIn, type TestStandIn } from './stand-in.js';

/**
 * `serve` replicas on one PostgreSQL database of their own, syncing to a Heap stand-in: the database, the stand-in,
 * a folder with the mapping and the config, and the replicas started in it; close() ends them all.
 */
export interface ReplicaSet {
  database: TestDatabase;
  standIn: TestStandIn;
  dir: string;
  config: string;
  /** what every replica and CLI run gets: DATABASE_URL, HEAP_SCIM_TOKEN and the test's own */
  env: Record<string, string>;
  replicas: ServeProcess[];
  start(name: string, options?: { host?: string }): Promise<ServeProcess>;
  cli(args: string[]): Promise<CliResult>;
  /** an IdP's push to a replica's `/scim/v2` under env.SCIM_TOKEN; the body parsed (null when empty) */
  scim(
    replica: ServeProcess,
    method: string,
    route: string,
    body?: unknown,
  ): Promise<{ status: number; body: Record<string, unknown> | null }>;
  close(): Promise<void>;
}

export async function startReplicaSet(options: {
  /** names the database (has_<label>_…) and the folder */
  label: string;
  mapping: string;
  /** the source: this directory as a file; without it, IdP pushes over SCIM */
  directory?: Directory;
  /** the target's request timeout (the config's default without it) */
  timeoutMs?: number;
  /** more config lines: schedule, alerts, reviews */
  config?: string[];
  env?: Record<string, string>;
}): Promise<ReplicaSet> {
  const database = await createTestDatabase(options.label);
  const standIn = await startTestStandIn({ token: HEAP_TOKEN });
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), `has-${options.label.replace(/_/g, '-')}-`));
  fs.mkdirSync(path.join(dir, 'mappings'));
  fs.writeFileSync(path.join(dir, 'mappings', 'acme.yaml'), options.mapping);
  if (options.directory) fs.writeFileSync(path.join(dir, 'directory.json'), JSON.stringify(options.directory));
  const config = path.join(dir, 'config.yaml');
  const timeout = options.timeoutMs !== undefined ? ` timeoutMs: ${options.timeoutMs},` : '';
  const extra = options.config ?? [];
  fs.writeFileSync(
    config,
    [
      'mappings: ./mappings',
      'store: { postgres: { urlEnv: DATABASE_URL, poolSize: 3 } }',
      options.directory
        ? 'sources: [ { type: file, path: ./directory.json } ]'
        : 'sources: [ { type: scim, debounceMs: 200 } ]',
      `target: { type: scim, url: ${standIn.scimUrl}, tokenEnv: HEAP_SCIM_TOKEN, retries: 2,${timeout} writesPerSecond: 1000 }`,
      'server: { port: 0 }',
      ...(extra.some((line) => line.startsWith('schedule:')) ? [] : ['schedule: null']),
      ...extra,
      'logLevel: info', // a replica's URL is in its info log
    ].join('\n'),
  );
  const env: Record<string, string> = { DATABASE_URL: database.url, HEAP_SCIM_TOKEN: HEAP_TOKEN, ...options.env };
  const replicas: ServeProcess[] = [];
  return {
    database,
    standIn,
    dir,
    config,
    env,
    replicas,
    async start(name, startOptions = {}) {
      const replica = await startServeProcess(config, { cwd: dir, env, name, ...startOptions });
      replicas.push(replica);
      return replica;
    },
    cli: (args) => runCli(['--config', config, ...args], { cwd: dir, env }),
    async scim(replica, method, route, body) {
      const res = await fetch(`${replica.url}/scim/v2${route}`, {
        method,
        headers: { authorization: `Bearer ${env.SCIM_TOKEN}`, 'content-type': 'application/scim+json' },
        ...(body !== undefined && { body: JSON.stringify(body) }),
      });
      const text = await res.text();
      return { status: res.status, body: text ? (JSON.parse(text) as Record<string, unknown>) : null };
    },
    async close() {
      for (const r of replicas) r.child.kill('SIGKILL');
      await Promise.all(replicas.map((r) => r.done));
      await standIn.close();
      fs.rmSync(dir, { recursive: true, force: true });
      await database.drop();
    },
  };
}
