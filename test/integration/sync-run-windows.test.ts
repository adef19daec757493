import { afterEach, describe, expect, it } from 'vitest';
import { startTestRuntime, type TestRuntime } from '../support/runtime.js';

let runtime: TestRuntime | undefined;
afterEach(async () => {
  await runtime?.close();
  runtime = undefined;
});

describe('sync runs as Heap sees them', () => {
  it('names its run in every write: the stand-in records one write window per run, never overlapping', async () => {
    runtime = await startTestRuntime();
    const first = await runtime.rt.sync.run({ trigger: 'cli' });
    const directory = runtime.readDirectory();
    directory.users = directory.users.map((u) => (u.email === 'bob.okafor@acme.example' ? { ...u, active: false } : u));
    runtime.writeDirectory(directory);
    const second = await runtime.rt.sync.run({ trigger: 'cli' });
    const { windows, overlaps } = runtime.standIn.writeWindows();
    expect(windows.map((w) => w.runId)).toEqual([first.record.id, second.record.id]);
    expect(windows[0]?.writes).toBeGreaterThan(1);
    expect(windows[0]?.changed).toBe(windows[0]?.writes);
    expect(overlaps).toEqual([]);
  });
});
