import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { ConfigError } from '../../../src/domain/errors.js';
import { createRoleCodec, DEFAULT_ROLE_ENCODING } from '../../../src/targets/role-encoding.js';

describe('role encoding', () => {
  const codec = createRoleCodec(DEFAULT_ROLE_ENCODING);

  it('writes entitlements as the roles values of DESIGN §7 by default', () => {
    expect(codec.encode('org', 'Admin')).toBe('org:Admin');
    expect(codec.encode('project:web-prod', 'Member')).toBe('project:web-prod:Member');
    expect(codec.encode('module:govern:web-prod', 'editor')).toBe('module:govern:web-prod:editor');
    expect(codec.encode('membership', 'active')).toBeNull();
    expect(codec.encode('nonsense:a:b:c', 'x')).toBeNull();
  });

  it('reads them back, and refuses values it does not know', () => {
    expect(codec.decode('org:Admin')).toEqual({ entitlement: 'org', value: 'Admin' });
    expect(codec.decode('project:web-prod:Member')).toEqual({ entitlement: 'project:web-prod', value: 'Member' });
    expect(codec.decode('module:govern:web-prod:editor')).toEqual({
      entitlement: 'module:govern:web-prod',
      value: 'editor',
    });
    expect(codec.decode('Admin')).toBeNull();
    expect(codec.decode('project:web-prod')).toBeNull();
    expect(codec.decode('org:')).toBeNull();
  });

  it('round-trips through a non-default encoding', () => {
    const custom = createRoleCodec({
      org: 'Heap Org {value}',
      project: 'Heap Project {project} {value}',
      module: 'Heap {module} on {project} {value}',
    });
    expect(custom.encode('project:web-prod', 'Admin')).toBe('Heap Project web-prod Admin');
    expect(custom.encode('module:govern:web-prod', 'editor')).toBe('Heap govern on web-prod editor');
    expect(custom.decode('Heap Org Member')).toEqual({ entitlement: 'org', value: 'Member' });
    expect(custom.decode('project:web-prod:Member')).toBeNull();
    const key = fc.stringMatching(/^[a-z][a-z0-9-]{0,12}$/);
    const value = fc.stringMatching(/^[A-Za-z][A-Za-z0-9]{0,10}$/);
    fc.assert(
      fc.property(key, key, value, (project, module, v) => {
        for (const entitlement of ['org', `project:${project}`, `module:${module}:${project}`]) {
          const role = custom.encode(entitlement, v);
          expect(role).not.toBeNull();
          expect(custom.decode(role as string)).toEqual({ entitlement, value: v });
        }
      }),
    );
  });

  it('refuses a role that an encoding can read two ways, rather than guess', () => {
    const ambiguous = createRoleCodec({
      org: 'o-{value}',
      project: 'p-{project}-{value}',
      module: 'm-{module}-{project}-{value}',
    });
    expect(ambiguous.decode('p-web-Admin')).toEqual({ entitlement: 'project:web', value: 'Admin' });
    expect(ambiguous.decode('p-web-prod-Admin')).toBeNull();
    const overlapping = createRoleCodec({
      org: 'h/org/{value}',
      project: 'h/{project}/role/{value}',
      module: 'h/{project}/{module}/{value}',
    });
    expect(overlapping.decode('h/web/role/Admin')).toBeNull();
    expect(overlapping.decode('h/web/govern/editor')).toEqual({ entitlement: 'module:govern:web', value: 'editor' });
  });

  it('rejects templates that cannot carry every part, listing every problem', () => {
    const bad = () =>
      createRoleCodec({ org: 'org', project: 'p:{value}', module: 'm:{module}:{project}:{value}:{oops}' });
    expect(bad).toThrow(ConfigError);
    try {
      bad();
    } catch (err) {
      expect((err as ConfigError).problems).toEqual([
        'target.roleEncoding.org: must contain {value} exactly once',
        'target.roleEncoding.project: must contain {project} exactly once',
        'target.roleEncoding.module: unknown placeholder {oops}',
      ]);
    }
  });
});
