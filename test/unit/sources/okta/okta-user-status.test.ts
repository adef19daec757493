import { describe, expect, it } from 'vitest';
import { isActiveOktaStatus } from '../../../../src/sources/okta/okta-user-status.js';

describe('isActiveOktaStatus', () => {
  it.each(['ACTIVE', 'PASSWORD_EXPIRED', 'LOCKED_OUT', 'RECOVERY', 'PROVISIONED'])(
    '%s is an employee with access',
    (s) => {
      expect(isActiveOktaStatus(s)).toBe(true);
    },
  );

  it.each(['STAGED', 'SUSPENDED', 'DEPROVISIONED', 'SOMETHING_NEW', undefined])('%s is not', (s) => {
    expect(isActiveOktaStatus(s)).toBe(false);
  });
});
