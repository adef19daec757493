/**
 * Access reviews (issue 15): a campaign over 10,000 users. Building the items from what Heap has (pure), writing
 * the campaign and its items to a SQLite file, deciding items one by one, and the evidence export in each format.
 * Reading the sources and Heap is left out: the sync benchmark measures those reads.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import type { ReviewCampaign } from '../../src/domain/review.js';
import { evaluateMapping } from '../../src/mapping/evaluate.js';
import { planChanges } from '../../src/planner/index.js';
import { buildReviewItems } from '../../src/planner/review-items.js';
import { renderReviewEvidence, type ReviewExportFormat } from '../../src/services/review-export.js';
import { openSqliteStore } from '../../src/store/sqlite/open-sqlite-store.js';
import { deriveHeap, generateOrg, random } from './lib/org.js';

const USERS = 10_000;
const DECISIONS = 1_000;
const NOW = new Date('2025-06-01T00:00:00Z');

const ms = (t0: number) => performance.now() - t0;

export async function run(): Promise<void> {
  console.log(`reviews: one campaign over ${USERS.toLocaleString('en-US')} users; Node ${process.version}`);
  const org = generateOrg({ users: USERS, groups: 500, projects: 30, rules: 150, groupsPerUser: 3, seed: 42 });
  const desired = evaluateMapping(org.mapping, org.snapshot);
  const heap = deriveHeap(desired, org.mapping.projects, 0.01, 7);
  const rnd = random(9);
  for (const t of heap.actual) {
    t.ownedAssets = rnd() < 0.2 ? Math.floor(rnd() * 30) : 0;
    if (rnd() < 0.85) t.lastActiveAt = new Date(NOW.getTime() - Math.floor(rnd() * 200) * 86_400_000).toISOString();
  }
  const plan = planChanges({
    mapping: org.mapping,
    desired,
    actual: heap.actual,
    baseline: heap.baseline,
    exceptions: [],
    now: NOW,
  });

  let t0 = performance.now();
  const items = buildReviewItems({
    model: org.mapping.model,
    actual: heap.actual,
    desired,
    exceptions: [],
    drift: plan.drift,
    now: NOW,
    project: null,
    reportsActivity: true,
    previous: null,
  });
  const buildMs = ms(t0);

  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'bench-reviews-'));
  const store = openSqliteStore(path.join(dir, 'store.db'));
  const campaign: ReviewCampaign = {
    id: 'rev-bench',
    createdAt: NOW.toISOString(),
    createdBy: 'bench@example.com',
    dueAt: new Date(NOW.getTime() + 14 * 86_400_000).toISOString(),
    status: 'open',
    project: null,
    reviewers: ['rita@example.com'],
    journalStart: { sequence: 0, hash: '0'.repeat(64) },
    journalEnd: null,
    previous: null,
    items: items.length,
    closedAt: null,
    closedBy: null,
    remediation: null,
  };
  try {
    t0 = performance.now();
    await store.createReview(campaign, items);
    const writeMs = ms(t0);
    t0 = performance.now();
    const read = await store.listReviewItems(campaign.id);
    const readMs = ms(t0);
    t0 = performance.now();
    for (const item of read.slice(0, DECISIONS)) {
      await store.putReviewItem(campaign.id, {
        ...item,
        decision: {
          decision: 'keep',
          actor: 'rita@example.com',
          reason: 'still needed',
          at: NOW.toISOString(),
          journalId: 'r',
        },
      });
    }
    const decideMs = ms(t0) / DECISIONS;
    const evidence = {
      campaign,
      items: await store.listReviewItems(campaign.id),
      journalHead: campaign.journalStart,
      exportedAt: NOW.toISOString(),
    };
    const flagged = (flag: string) => items.filter((i) => i.flags.includes(flag as never)).length;
    console.log(`items: ${items.length.toLocaleString('en-US')} (${(items.length / USERS).toFixed(1)} per user)`);
    console.log(
      `flags: admin ${flagged('admin')}, unused-90-days ${flagged('unused-90-days')}, drift ${flagged('drift')}, ` +
        `owns-assets ${flagged('owns-assets')}, unknown-to-idp ${flagged('unknown-to-idp')}`,
    );
    console.log(`build items (pure): ${buildMs.toFixed(0)} ms`);
    console.log(`write campaign + items (SQLite, one transaction): ${writeMs.toFixed(0)} ms`);
    console.log(`create = build + write: ${(buildMs + writeMs).toFixed(0)} ms`);
    console.log(`read all items back: ${readMs.toFixed(0)} ms; record one decision: ${decideMs.toFixed(2)} ms`);
    for (const format of ['csv', 'json', 'html'] as ReviewExportFormat[]) {
      t0 = performance.now();
      const text = renderReviewEvidence(evidence, format);
      const renderMs = ms(t0);
      console.log(
        `export ${format}: ${(Buffer.byteLength(text) / 1024 / 1024).toFixed(1)} MB in ${renderMs.toFixed(0)} ms`,
      );
    }
    console.log(`store file: ${(fs.statSync(path.join(dir, 'store.db')).size / 1024 / 1024).toFixed(1)} MB`);
    console.log(`peak RSS: ${(process.resourceUsage().maxRSS / 1024).toFixed(0)} MB`);
  } finally {
    await store.close();
    fs.rmSync(dir, { recursive: true, force: true });
  }
}
