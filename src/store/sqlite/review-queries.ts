import type Database from 'better-sqlite3';
import type { ReviewCampaign, ReviewItem } from '../../domain/review.js';
import type { Store } from '../../ports/store.js';

type ReviewQueries = Pick<
  Store,
  'createReview' | 'putReview' | 'getReview' | 'listReviews' | 'listReviewItems' | 'putReviewItem'
>;

/** Campaigns and their items, each stored whole as JSON; items keyed by (campaign, id) in id order. */
export function prepareReviewQueries(db: Database.Database): ReviewQueries {
  const upsertCampaign = db.prepare<[string, string, string, string]>(
    `INSERT INTO reviews (id, created_at, status, campaign) VALUES (?, ?, ?, ?)
     ON CONFLICT (id) DO UPDATE SET status = excluded.status, campaign = excluded.campaign`,
  );
  const insertItem = db.prepare<[string, string, string]>(
    'INSERT INTO review_items (campaign_id, id, item) VALUES (?, ?, ?)',
  );
  const updateItem = db.prepare<[string, string, string]>(
    'UPDATE review_items SET item = ? WHERE campaign_id = ? AND id = ?',
  );
  const selectOne = db.prepare<[string], string>('SELECT campaign FROM reviews WHERE id = ?').pluck();
  const selectAll = db.prepare<[], string>('SELECT campaign FROM reviews ORDER BY created_at, id').pluck();
  const selectItems = db
    .prepare<[string], string>('SELECT item FROM review_items WHERE campaign_id = ? ORDER BY id')
    .pluck();
  const create = db.transaction((campaign: ReviewCampaign, items: readonly ReviewItem[]) => {
    upsertCampaign.run(campaign.id, campaign.createdAt, campaign.status, JSON.stringify(campaign));
    for (const item of items) insertItem.run(campaign.id, item.id, JSON.stringify(item));
  });

  return {
    async createReview(campaign, items) {
      create(campaign, items);
    },
    async putReview(campaign) {
      upsertCampaign.run(campaign.id, campaign.createdAt, campaign.status, JSON.stringify(campaign));
    },
    async getReview(id) {
      const text = selectOne.get(id);
      return text === undefined ? null : (JSON.parse(text) as ReviewCampaign);
    },
    async listReviews() {
      return selectAll.all().map((t) => JSON.parse(t) as ReviewCampaign);
    },
    async listReviewItems(campaignId) {
      return selectItems.all(campaignId).map((t) => JSON.parse(t) as ReviewItem);
    },
    async putReviewItem(campaignId, item) {
      if (updateItem.run(JSON.stringify(item), campaignId, item.id).changes !== 1) {
        throw new Error(`review ${campaignId} has no item ${item.id}`);
      }
    },
  };
}
