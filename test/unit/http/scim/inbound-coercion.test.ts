/**
 * coerceInbound must give what scimmy's schema instance gives for every body: the same stored JSON (key order
 * included: a replace compares stored text), or the same error.
 */
import fc from 'fast-check';
import SCIMMY from 'scimmy';
import { beforeAll, describe, expect, it } from 'vitest';
import { coerceInbound } from '../../../../src/http/scim/inbound-coercion.js';
import { toStoredAttributes } from '../../../../src/http/scim/records.js';
import { declareScimResources } from '../../../../src/http/scim/resources.js';

const USER = 'urn:ietf:params:scim:schemas:core:2.0:User';
const GROUP = 'urn:ietf:params:scim:schemas:core:2.0:Group';
const ENTERPRISE = 'urn:ietf:params:scim:schemas:extension:enterprise:2.0:User';

/** What a POST would store, or the error it would answer (a TypeError is scimmy's 400 invalidValue). */
function outcome(coerce: () => unknown): string {
  try {
    return JSON.stringify(toStoredAttributes(coerce()));
  } catch (err) {
    if (err instanceof SCIMMY.Types.Error) return `SCIM ${err.status} ${String(err.scimType)} ${err.message}`;
    if (err instanceof TypeError) return `SCIM 400 invalidValue ${err.message}`;
    throw err;
  }
}

const viaInstance = (kind: 'User' | 'Group', body: Record<string, unknown>) =>
  outcome(() => (kind === 'User' ? new SCIMMY.Schemas.User(body, 'in') : new SCIMMY.Schemas.Group(body, 'in')));
const direct = (kind: 'User' | 'Group', body: Record<string, unknown>) =>
  outcome(() => coerceInbound(SCIMMY.Schemas[kind].definition, body));

const scalar = fc.oneof(
  fc.constantFrom('', 'x', 'Sales', 'a@b.example', '2026-12-01T10:00:00Z', 'not a date', 'work'),
  fc.boolean(),
  fc.integer({ min: -2, max: 5 }),
  fc.constant(null),
);
/** complex values with their sub-attributes in any order and case, unknown keys beside them */
const complex = (keys: string[]) =>
  fc
    .uniqueArray(fc.constantFrom(...keys, ...keys.map((k) => k.toUpperCase()), 'unknownSub'), { maxLength: 5 })
    .chain((names) =>
      fc.tuple(...names.map((n) => scalar.map((v) => [n, v] as const))).map((pairs) => Object.fromEntries(pairs)),
    );
const multi = (keys: string[]) => fc.array(complex(keys), { maxLength: 3 });

const userAttribute = fc.oneof(
  fc.tuple(fc.constantFrom('userName', 'USERNAME', 'displayName', 'nickName', 'title', 'locale', 'externalId'), scalar),
  fc.tuple(fc.constantFrom('active', 'Active'), fc.oneof(fc.boolean(), scalar)),
  fc.tuple(fc.constant('name'), complex(['givenName', 'familyName', 'formatted', 'middleName'])),
  fc.tuple(fc.constantFrom('emails', 'phoneNumbers'), multi(['value', 'type', 'primary', 'display'])),
  fc.tuple(fc.constant('addresses'), multi(['country', 'locality', 'primary', 'type', 'streetAddress'])),
  fc.tuple(fc.constant('roles'), multi(['value', 'type', 'primary'])),
  fc.tuple(fc.constantFrom('password', 'id', 'meta', 'groups', 'unknownAttr'), scalar),
  fc.tuple(
    fc.constant(ENTERPRISE),
    fc.oneof(
      complex(['department', 'employeeNumber', 'costCenter', 'organization']),
      fc.record({ manager: complex(['value', 'displayName']) }),
      fc.constant({}),
    ),
  ),
  fc.tuple(fc.constantFrom(`${ENTERPRISE}:department`, `${ENTERPRISE}:manager.value`), scalar),
);
const schemasOf = fc.oneof(
  fc.constant(undefined),
  fc.constantFrom([USER], [USER, ENTERPRISE], [ENTERPRISE], ['urn:x'], [], [GROUP]),
);
const userBody = fc
  .tuple(fc.array(userAttribute, { maxLength: 8 }), schemasOf)
  .map(([attributes, schemas]) => ({ ...(schemas && { schemas }), ...Object.fromEntries(attributes) }));
const groupBody = fc
  .tuple(
    fc.array(
      fc.oneof(
        fc.tuple(fc.constantFrom('displayName', 'DisplayName', 'externalId'), scalar),
        fc.tuple(fc.constant('members'), multi(['value', 'display', 'type', '$ref'])),
        fc.tuple(fc.constantFrom('id', 'meta', 'unknownAttr'), scalar),
      ),
      { maxLength: 5 },
    ),
    fc.oneof(fc.constant(undefined), fc.constantFrom([GROUP], [USER], [])),
  )
  .map(([attributes, schemas]) => ({ ...(schemas && { schemas }), ...Object.fromEntries(attributes) }));

describe('coerceInbound', () => {
  beforeAll(() => declareScimResources());

  it('stores what scimmy stores for an IdP user, sub-attributes in schema order whatever order they came in', () => {
    const body = {
      schemas: [USER, ENTERPRISE],
      userName: 'ann@example.com',
      name: { givenName: 'Ann', familyName: 'A' },
      emails: [{ primary: true, value: 'ann@example.com', type: 'work' }],
      password: 'never stored',
      [ENTERPRISE]: { manager: { value: 'm-1' }, department: 'Sales' },
      active: true,
    };
    const stored = direct('User', body);
    expect(stored).toBe(viaInstance('User', body));
    expect(Object.keys(JSON.parse(stored).name)).toEqual(['familyName', 'givenName']);
    expect(stored).not.toContain('never stored');
  });

  it('leaves out an enterprise extension without values (an empty manager inside one stays, as in scimmy)', () => {
    const body = { schemas: [USER, ENTERPRISE], userName: 'b', [ENTERPRISE]: { department: 'X', manager: {} } };
    expect(direct('User', body)).toBe(viaInstance('User', body));
    expect(JSON.parse(direct('User', body))[ENTERPRISE]).toEqual({ department: 'X', manager: {} });
    const empty = { schemas: [USER, ENTERPRISE], userName: 'c', [ENTERPRISE]: {} };
    expect(JSON.parse(direct('User', empty))).not.toHaveProperty(ENTERPRISE);
  });

  it('refuses what scimmy refuses, with its words', () => {
    for (const body of [
      { schemas: ['urn:x'], userName: 'a' },
      { schemas: [USER], userName: 'a', active: 'maybe' },
      { schemas: [USER] },
      { schemas: [USER], userName: 'a', emails: 'a@b' },
    ]) {
      expect(direct('User', body)).toMatch(/^SCIM 400/);
      expect(direct('User', body)).toBe(viaInstance('User', body));
    }
  });

  it('equals scimmy for generated User bodies', () => {
    fc.assert(
      fc.property(userBody, (body) => {
        expect(direct('User', body)).toBe(viaInstance('User', body));
      }),
      { numRuns: 2000 },
    );
  });

  it('equals scimmy for generated Group bodies', () => {
    fc.assert(
      fc.property(groupBody, (body) => {
        expect(direct('Group', body)).toBe(viaInstance('Group', body));
      }),
      { numRuns: 1000 },
    );
  });
});
