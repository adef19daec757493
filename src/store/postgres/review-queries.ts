import type pg from 'pg';
import type { ReviewCampaign, ReviewItem } from '../../domain/review.js';
import type { Store } from '../../ports/store.js';
import { inTransaction, rows, type Queryable } from './open-postgres-pool.js';

type ReviewQueries = Pick<
  Store,
  'createReview' | 'putReview' | 'getReview' | 'listReviews' | 'listReviewItems' | 'putReviewItem'
>;

const upsertCampaign = (db: Queryable, campaign: ReviewCampaign) =>
  db.query(
    `INSERT INTO reviews (id, created_at, status, campaign) VALUES ($1, $2, $3, $4)
     ON CONFLICT (id) DO UPDATE SET status = excluded.status, campaign = excluded.campaign`,
    [campaign.id, campaign.createdAt, campaign.status, JSON.stringify(campaign)],
  );

/** Campaigns and their items, each stored whole as JSON; items keyed by (campaign, id) in id order. */
export function prepareReviewQueries(pool: pg.Pool): ReviewQueries {
  return {
    async createReview(campaign, items) {
      await inTransaction(pool, async (client) => {
        await upsertCampaign(client, campaign);
        for (const item of items) {
          await client.query('INSERT INTO review_items (campaign_id, id, item) VALUES ($1, $2, $3)', [
            campaign.id,
            item.id,
            JSON.stringify(item),
          ]);
        }
      });
    },
    async putReview(campaign) {
      await upsertCampaign(pool, campaign);
    },
    async getReview(id) {
      const [row] = await rows<{ campaign: string }>(pool, 'SELECT campaign FROM reviews WHERE id = $1', [id]);
      return row ? (JSON.parse(row.campaign) as ReviewCampaign) : null;
    },
    async listReviews() {
      const found = await rows<{ campaign: string }>(
        pool,
        'SELECT campaign FROM reviews ORDER BY created_at COLLATE "C", id COLLATE "C"',
      );
      return found.map((r) => JSON.parse(r.campaign) as ReviewCampaign);
    },
    async listReviewItems(campaignId) {
      const found = await rows<{ item: string }>(
        pool,
        'SELECT item FROM review_items WHERE campaign_id = $1 ORDER BY id COLLATE "C"',
        [campaignId],
      );
      return found.map((r) => JSON.parse(r.item) as ReviewItem);
    },
    async putReviewItem(campaignId, item) {
      const result = await pool.query('UPDATE review_items SET item = $1 WHERE campaign_id = $2 AND id = $3', [
        JSON.stringify(item),
        campaignId,
        item.id,
      ]);
      if (result.rowCount !== 1) throw new Error(`review ${campaignId} has no item ${item.id}`);
    },
  };
}
