import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestStandIn } from '../support/stand-in.js';
import { SCIM_TOKEN } from '../support/e2e-setup.js';
import { freePort, killServeWhilePushing, makeServeWorkspace } from '../support/serve-kills.js';

const KILLS = 8;
const ACKS_PER_LIFE = 12;

describe('crash safety: serve killed with SIGKILL while acknowledging SCIM pushes', () => {
  let standIn: Awaited<ReturnType<typeof startTestStandIn>>;
  let ws: ReturnType<typeof makeServeWorkspace>;
  let port: number;

  beforeAll(async () => {
    standIn = await startTestStandIn({ token: SCIM_TOKEN });
    port = await freePort();
    ws = makeServeWorkspace(standIn.scimUrl, port);
  });
  afterAll(async () => {
    await standIn?.close();
    ws?.cleanup();
  });

  it(
    `keeps every acknowledged push through ${KILLS} kills, applies none in part, and brings them all to Heap`,
    { timeout: 600_000 },
    async () => {
      const { figures, pushes } = await killServeWhilePushing(ws, standIn.url, port, {
        kills: KILLS,
        acksPerLife: ACKS_PER_LIFE,
      });
      // the kills came while pushes were being answered: some were cut off, the rest acknowledged in every life
      expect(figures.interrupted).toBeGreaterThan(0);
      for (let life = 0; life <= KILLS; life++) {
        const acked = pushes.filter((p) => p.life === life && p.status !== null && p.status < 300).length;
        expect(acked, `life ${life}`).toBeGreaterThanOrEqual(ACKS_PER_LIFE);
      }
      expect(
        pushes.filter((p) => p.kind === 'add-members' && p.status !== null && p.status < 300).length,
      ).toBeGreaterThan(0);
      expect(figures.lostInStore).toEqual([]);
      expect(figures.halfApplied).toEqual([]);
      expect(figures.missingInHeap).toEqual([]);
      expect(figures.outboxLeft).toBe(0);
    },
  );
});
