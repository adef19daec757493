import SCIMMY from 'scimmy';
import { beforeAll, describe, expect, it } from 'vitest';
import { planGroupFilter, planUserFilter, validateFilter } from '../../../../src/http/scim/filter-plan.js';
import { declareScimResources } from '../../../../src/http/scim/resources.js';

const f = (expression: string) => new SCIMMY.Types.Filter(expression);

describe('filter planning', () => {
  beforeAll(() => declareScimResources());

  it('sends a single indexed eq to SQL with nothing left over', () => {
    expect(planUserFilter(f('userName eq "a@b.c"'))).toEqual({ lookup: { by: 'userName', value: 'a@b.c' } });
    expect(planUserFilter(f('UserName eq "a"'))).toEqual({ lookup: { by: 'userName', value: 'a' } });
    expect(planUserFilter(f('externalId eq "x"'))).toEqual({ lookup: { by: 'externalId', value: 'x' } });
    expect(planUserFilter(f('emails.value eq "e"'))).toEqual({ lookup: { by: 'email', value: 'e' } });
    expect(planUserFilter(f('emails[value eq "e"]'))).toEqual({ lookup: { by: 'email', value: 'e' } });
    expect(planGroupFilter(f('displayName eq "G"'))).toEqual({ lookup: { by: 'displayName', value: 'G' } });
    expect(planUserFilter(undefined)).toEqual({});
  });

  it('narrows by the indexed eq and leaves the rest to match in memory', () => {
    const plan = planUserFilter(f('userName eq "a" and active eq true'));
    expect(plan.lookup).toEqual({ by: 'userName', value: 'a' });
    expect([...(plan.residual ?? [])]).toEqual([{ active: ['eq', true] }]);
    const email = planUserFilter(f('emails[type eq "work" and value eq "e"]'));
    expect(email.lookup).toEqual({ by: 'email', value: 'e' });
    expect([...(email.residual ?? [])]).toEqual([{ emails: { type: ['eq', 'work'], value: ['eq', 'e'] } }]);
    const group = planGroupFilter(f('id eq "g" and members[value eq "u"]'));
    expect(group.lookup).toEqual({ by: 'id', value: 'g' });
  });

  it('scans for an or, a non-eq or a non-string value', () => {
    for (const expression of [
      'userName eq "a" or userName eq "b"',
      'userName sw "a"',
      'userName eq 12',
      'not (userName eq "a")',
    ]) {
      const plan = planUserFilter(f(expression));
      expect(plan.lookup).toBeUndefined();
      expect(plan.residual).toBeDefined();
    }
  });

  it('rejects unknown attributes and incomplete comparisons as invalidFilter', () => {
    const user = SCIMMY.Schemas.User.definition;
    expect(() =>
      validateFilter(user, f('userName eq "a" and name.familyName pr and meta.created gt "2020-01-01"')),
    ).not.toThrow();
    expect(() =>
      validateFilter(user, f('urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:department eq "x"')),
    ).not.toThrow();
    for (const expression of [
      'shoeSize eq "9"',
      'name.nickname eq "x"',
      'userName eq',
      'emails[type eq "w"].value pr "x"',
    ]) {
      expect(() => validateFilter(user, f(expression))).toThrow(
        expect.objectContaining({ status: 400, scimType: 'invalidFilter' }),
      );
    }
  });
});
