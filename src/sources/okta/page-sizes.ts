/**
 * Page sizes sent as `limit`. Okta documents `limit <= 10000` for groups, 1000 for a group's users and 200 for
 * users, and recommends at most 200 for groups ("any number greater than 200 affects performance and accuracy"),
 * so groups use 200: two extra requests per 10,000 groups, in exchange for pages Okta serves reliably.
 */
export const OKTA_PAGE_SIZE = { groups: 200, groupUsers: 1000 } as const;

/** Okta's documented maximums, for "minimum possible requests" figures. */
export const OKTA_MAX_PAGE_SIZE = { groups: 10_000, groupUsers: 1000, users: 200 } as const;
