/** userName (or another unique attribute) already belongs to another SCIM User. */
export class ScimUniquenessError extends Error {
  constructor(
    readonly attribute: string,
    message: string,
  ) {
    super(message);
    this.name = 'ScimUniquenessError';
  }
}

/** The resource changed since the version the caller read (optimistic concurrency, or an If-Match header). */
export class ScimVersionConflictError extends Error {
  constructor(
    readonly id: string,
    readonly expected: number,
    readonly actual: number,
  ) {
    super(`resource ${id} is at version ${actual}, not ${expected}`);
    this.name = 'ScimVersionConflictError';
  }
}

/** A group member that is not a stored SCIM User (nested groups are not supported). */
export class ScimUnknownMemberError extends Error {
  constructor(readonly members: string[]) {
    super(`member(s) not found as Users: ${members.slice(0, 5).join(', ')}${members.length > 5 ? ', …' : ''}`);
    this.name = 'ScimUnknownMemberError';
  }
}

/** A value the repository cannot store, such as an empty userName or displayName (scimmy lets `""` through). */
export class ScimInvalidValueError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ScimInvalidValueError';
  }
}
