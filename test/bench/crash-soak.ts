/**
 * `npm run soak` (or `npm run bench -- crash-soak`): repeated SIGKILLs of `sync` during apply and of `serve` while
 * it acknowledges SCIM pushes, then the figures DESIGN §10 promises: kill points hit, converged, acknowledged
 * pushes lost, writes applied twice, unjournaled writes (each must be 0). SOAK_SYNC_KILLS and SOAK_SERVE_KILLS
 * set the rounds (default 20 and 10).
 */
import { SCIM_TOKEN } from '../support/e2e-setup.js';
import { freePort, killServeWhilePushing, makeServeWorkspace } from '../support/serve-kills.js';
import { startTestStandIn } from '../support/stand-in.js';
import { killSyncDuringApply, makeSyncWorkspace } from '../support/sync-kills.js';

const pct = (xs: number[], p: number) =>
  xs.length ? [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.floor((xs.length * p) / 100))]! : NaN;
const count = (name: string, list: string[]) => {
  console.log(`  ${name}: ${list.length}`);
  for (const line of list.slice(0, 5)) console.log(`    ${line}`);
};

export async function run(): Promise<void> {
  const syncKills = Number(process.env.SOAK_SYNC_KILLS ?? 20);
  const serveKills = Number(process.env.SOAK_SERVE_KILLS ?? 10);

  {
    const standIn = await startTestStandIn({ token: SCIM_TOKEN });
    const ws = makeSyncWorkspace(standIn);
    const started = Date.now();
    try {
      const f = await killSyncDuringApply(standIn, ws, syncKills);
      console.log(`sync: ${f.rounds} runs started, SIGKILLed at random points of apply (${Date.now() - started} ms)`);
      console.log(`  kill points hit (killed during apply): ${f.killPoints}`);
      console.log(`  directory changed while down: ${f.idpChanges}, converged after restart: ${f.idpChangesConverged}`);
      console.log(`  converged at the end: ${f.converged ? 'yes' : 'no'}`);
      console.log(`  writes stalled past the timeout, read back as applied: ${f.stalledReadBack}`);
      console.log(`  write attempts Heap received: ${f.audit.attempts}`);
      count('unaccounted write attempts', f.audit.unaccounted);
      count('unjournaled writes', f.audit.unjournaled);
      count('double writes (applied twice, or already in Heap)', f.audit.doubleWrites);
      count('late writes (a dead run landing after a later one)', f.audit.lateWrites);
      console.log(`  runs writing at once: ${standIn.writeWindows().overlaps.length}`);
    } finally {
      await standIn.close();
      ws.cleanup();
    }
  }

  {
    const standIn = await startTestStandIn({ token: SCIM_TOKEN });
    const port = await freePort();
    const ws = makeServeWorkspace(standIn.scimUrl, port);
    const started = Date.now();
    try {
      const { figures: f, pushes } = await killServeWhilePushing(ws, standIn.url, port, { kills: serveKills });
      const acked = pushes.filter((p) => p.status !== null && p.status < 300).map((p) => p.ms);
      console.log(`serve: ${f.kills} SIGKILLs at random moments while pushing (${Date.now() - started} ms)`);
      console.log(
        `  pushes sent: ${f.pushes}, acknowledged: ${f.acknowledged}, on the wire at a kill: ${f.interrupted}`,
      );
      console.log(
        `  acknowledgement latency: p50 ${pct(acked, 50).toFixed(1)} ms, p99 ${pct(acked, 99).toFixed(1)} ms`,
      );
      count('acknowledged pushes lost (not in the store)', f.lostInStore);
      count('acknowledged members not in Heap after the outbox drained', f.missingInHeap);
      count('unacknowledged pushes applied in part', f.halfApplied);
      console.log(`  outbox entries left: ${f.outboxLeft}`);
      console.log(`  converged: ${f.lostInStore.length + f.missingInHeap.length + f.outboxLeft === 0 ? 'yes' : 'no'}`);
    } finally {
      await standIn.close();
      ws.cleanup();
    }
  }
}
