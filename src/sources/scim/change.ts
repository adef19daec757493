/** What a SCIM write changed, for the incremental sync it triggers. */
export interface ScimChange {
  /** SCIM user ids whose membership or attributes changed; a group rename or deletion lists every member */
  users: string[];
  groups: string[];
  reason: 'user-created' | 'user-updated' | 'user-deleted' | 'group-changed' | 'group-deleted' | 'group-renamed';
}
