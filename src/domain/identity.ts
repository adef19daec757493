/** A person as an identity provider knows them. `source` names the source that yielded it (file, scim, okta, entra). */
export interface Identity {
  id: string;
  userName: string;
  email: string | null;
  displayName?: string;
  externalId?: string;
  active: boolean;
  source: string;
}

/** An IdP group; `members` holds Identity ids of the same source. */
export interface Group {
  id: string;
  displayName: string;
  members: string[];
  source: string;
}

/** Everything the identity sources said, merged: the input of mapping evaluation. */
export interface DirectorySnapshot {
  users: Identity[];
  groups: Group[];
}
