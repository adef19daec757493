/** The Heap stand-in in its own process, as Heap would be, and the workspace a benchmark's sync runs in. */
import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../..');
/** The stand-in's token (HEAP_SCIM_TOKEN) in every benchmark. */
export const HEAP_TOKEN = 'bench-heap-token';

/** Starts `stand-in --reset` on a random port with its data in `dataDir` (and `args` more), once it answers. */
export async function startStandIn(
  dataDir: string,
  args: string[] = [],
): Promise<{ url: string; child: ChildProcess }> {
  const port = 20_000 + Math.floor(Math.random() * 20_000);
  const child = spawn(
    process.execPath,
    [
      '--import',
      import.meta.resolve('tsx'),
      path.join(ROOT, 'src/cli/main.ts'),
      'stand-in',
      ...['--port', String(port), '--data', dataDir, '--reset', ...args],
    ],
    { env: { ...process.env, HEAP_SCIM_TOKEN: HEAP_TOKEN }, stdio: ['ignore', 'ignore', 'inherit'] },
  );
  const url = `http://127.0.0.1:${port}`;
  for (let i = 0; i < 300; i++) {
    try {
      if ((await fetch(`${url}/api/stats`, { headers: { authorization: `Bearer ${HEAP_TOKEN}` } })).ok)
        return { url, child };
    } catch {
      // not listening yet
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  child.kill();
  throw new Error('the stand-in did not start');
}

/**
 * The SCIM requests the stand-in has answered so far. Retried: after a long paced run the pooled connection this reuses may be one the stand-in just closed as idle
 * (its keep-alive timeout passed while the bench was busy), which fails the first try with "other side closed".
 */
export async function standInTraffic(url: string): Promise<{ reads: number; writes: number }> {
  for (let attempt = 1; ; attempt++) {
    try {
      const res = await fetch(`${url}/api/stats`, { headers: { authorization: `Bearer ${HEAP_TOKEN}` } });
      const body = (await res.json()) as {
        reads?: number;
        writes?: number;
        traffic?: { reads: number; writes: number };
      };
      const s = body.traffic ?? (body as { reads: number; writes: number });
      return { reads: s.reads, writes: s.writes };
    } catch (err) {
      if (attempt >= 5) throw err;
      await new Promise((r) => setTimeout(r, 200 * attempt));
    }
  }
}

/** The example mappings copied into `dir/mappings`, with maxRevocations raised so no benchmark run is held. */
export function copyMappings(dir: string): void {
  fs.mkdirSync(path.join(dir, 'mappings'), { recursive: true });
  for (const f of fs.readdirSync(path.join(ROOT, 'mappings'))) {
    const text = fs.readFileSync(path.join(ROOT, 'mappings', f), 'utf8');
    fs.writeFileSync(path.join(dir, 'mappings', f), text.replace(/maxRevocations:\s*\d+/, 'maxRevocations: 100000'));
  }
}

export interface BenchUser {
  id: string;
  userName: string;
  email: string;
  displayName: string;
  active: boolean;
}

/** `n` synthetic people for a file source: u0 … user0@bench.example … */
export const benchUsers = (n: number): BenchUser[] =>
  Array.from({ length: n }, (_, i) => ({
    id: `u${i}`,
    userName: `user${i}@bench.example`,
    email: `user${i}@bench.example`,
    displayName: `User ${i}`,
    active: true,
  }));

/**
 * The people spread over groups by position (person i in group i mod the number of groups); with `firstAlsoEvery`,
 * every such person is in the first group too.
 */
export function spreadOver(
  users: readonly BenchUser[],
  names: readonly string[],
  firstAlsoEvery?: number,
): { id: string; displayName: string; members: string[] }[] {
  return names.map((displayName, g) => ({
    id: `g${g}`,
    displayName,
    members: users
      .filter((_, i) => i % names.length === g || (firstAlsoEvery !== undefined && g === 0 && i % firstAlsoEvery === 0))
      .map((u) => u.id),
  }));
}
