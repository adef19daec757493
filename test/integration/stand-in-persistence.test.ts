import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { runCli, startCli } from '../support/cli.js';
import { startTestStandIn } from '../support/stand-in.js';

const dirs: string[] = [];
const tempDir = () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'stand-in-persist-'));
  dirs.push(dir);
  return dir;
};

async function teammateEmails(url: string, token: string): Promise<string[]> {
  const res = await fetch(`${url}/api/teammates`, { headers: { authorization: `Bearer ${token}` } });
  const body = (await res.json()) as { teammates: { email: string }[] };
  return body.teammates.map((t) => t.email);
}

async function addTeammate(url: string, token: string, email: string) {
  const res = await fetch(`${url}/api/teammates`, {
    method: 'POST',
    headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
    body: JSON.stringify({ email, access: { org: 'Member', 'project:web-prod': 'Viewer' } }),
  });
  expect(res.status).toBe(201);
}

afterAll(() => {
  for (const dir of dirs) fs.rmSync(dir, { recursive: true, force: true });
});

describe('Heap stand-in data', () => {
  it('persists across restarts, and --reset starts from an empty Heap', async () => {
    const dataDir = tempDir();
    const first = await startTestStandIn({ dataDir });
    await addTeammate(first.url, first.token, 'kept@example.com');
    await first.close();

    const second = await startTestStandIn({ dataDir });
    expect(await teammateEmails(second.url, second.token)).toEqual(['kept@example.com']);
    const activity = await fetch(`${second.url}/api/activity`, {
      headers: { authorization: `Bearer ${second.token}` },
    });
    expect(((await activity.json()) as { activity: unknown[] }).activity).toHaveLength(3);
    await second.close();

    const reset = await startTestStandIn({ dataDir, reset: true });
    expect(await teammateEmails(reset.url, reset.token)).toEqual([]);
    await reset.close();
  });
});

describe('heap-access-sync stand-in (CLI)', () => {
  it('exits 2 naming the problem when HEAP_SCIM_TOKEN is not set', async () => {
    const result = await runCli(['stand-in', '--port', '0', '--data', tempDir()], { env: { HEAP_SCIM_TOKEN: '' } });
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(/HEAP_SCIM_TOKEN is not set/);
  });

  it('serves SCIM and /api on the port it prints, keeps data across runs, injects faults, stops on SIGTERM', async () => {
    const dataDir = tempDir();
    const env = { HEAP_SCIM_TOKEN: 'cli-token' };
    const run = async (extra: string[], check: (url: string) => Promise<void>) => {
      const { child, done } = startCli(['stand-in', '--port', '0', '--data', dataDir, ...extra], { env });
      let out = '';
      try {
        const url = await new Promise<string>((resolve, reject) => {
          child.stdout?.on('data', (d: Buffer) => {
            out += d.toString();
            const m = /listening on (http:\/\/\S+) /.exec(out);
            if (m?.[1]) resolve(m[1]);
          });
          child.once('exit', (code) => reject(new Error(`stand-in exited ${code}`)));
        });
        await check(url);
      } finally {
        child.kill('SIGTERM');
      }
      expect((await done).code).toBe(0);
    };
    await run(['--reset'], async (url) => {
      const scim = await fetch(`${url}/scim/v2/Users`, { headers: { authorization: 'Bearer cli-token' } });
      expect(scim.status).toBe(200);
      await addTeammate(url, 'cli-token', 'cli@example.com');
    });
    await run(['--fail-writes', '1', '--fault', '500'], async (url) => {
      expect(await teammateEmails(url, 'cli-token')).toEqual(['cli@example.com']);
      const res = await fetch(`${url}/scim/v2/Users`, {
        method: 'POST',
        headers: { authorization: 'Bearer cli-token', 'content-type': 'application/scim+json' },
        body: JSON.stringify({ userName: 'x@example.com' }),
      });
      expect(res.status).toBe(500);
      expect(await teammateEmails(url, 'cli-token')).toEqual(['cli@example.com']);
    });
  });
});
