import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { startStandIn, type StandInOptions } from '../../src/stand-in/index.js';
import type { FaultInjector } from '../../src/stand-in/faults.js';
import { overlappingWindows, type WriteAttempt, type WriteWindow } from '../../src/stand-in/traffic.js';

export const STAND_IN_TOKEN = 'stand-in-test-token';

export interface TestStandIn {
  /** http://127.0.0.1:<port> */
  url: string;
  /** http://127.0.0.1:<port>/scim/v2 */
  scimUrl: string;
  token: string;
  dataDir: string;
  /**
   * switch faults at run time: `faults.set({ share: 1, kinds: ['500'] })`, `faults.set(undefined)`; `faults.stats()`
   * counts every SCIM write attempt (`writes`), those that changed something (`writesChanged`), and stalled
   * writes applied once their stall ended (`stalledApplied`)
   */
  faults: FaultInjector;
  /** when each run's writes landed (by the `X-Heap-Access-Sync-Run` header), and which runs' windows intersect */
  writeWindows(): { windows: WriteWindow[]; overlaps: [string, string][] };
  /** every SCIM write attempt received, oldest first: which run, what request, whether it changed anything */
  writeAttempts(): WriteAttempt[];
  /** stops the server; removes the data folder when this helper made it */
  close(): Promise<void>;
}

/** Starts the Heap stand-in in-process on 127.0.0.1, port 0, with a fresh temp data folder unless one is given. */
export async function startTestStandIn(options: Partial<StandInOptions> = {}): Promise<TestStandIn> {
  const ownDir = options.dataDir === undefined;
  const dataDir = options.dataDir ?? fs.mkdtempSync(path.join(os.tmpdir(), 'stand-in-'));
  const token = options.token ?? STAND_IN_TOKEN;
  const running = await startStandIn({ ...options, dataDir, token, port: 0, host: '127.0.0.1' });
  return {
    url: running.url,
    scimUrl: running.scimUrl,
    token,
    dataDir,
    faults: running.faults,
    writeWindows() {
      const windows = running.traffic.windows();
      return { windows, overlaps: overlappingWindows(windows) };
    },
    writeAttempts: () => running.traffic.attempts(),
    async close() {
      await running.close();
      if (ownDir) fs.rmSync(dataDir, { recursive: true, force: true });
    },
  };
}
