import type { RuleReason } from '../../domain/desired.js';
import { FOUR_EYES_OFF, type Policy } from '../../domain/mapping.js';

/** Policy settings as [setting, value, meaning] rows, shared by every format. */
export function describePolicy(p: Policy): string[][] {
  return [
    [
      'multiGroup',
      p.multiGroup,
      p.multiGroup === 'highest'
        ? 'the most privileged value of all matching rules wins'
        : 'the rule with the lowest priority number wins',
    ],
    [
      'unmappedUsers',
      p.unmappedUsers,
      {
        deactivate: 'users no rule maps are deactivated in Heap',
        remove: 'users no rule maps are removed from Heap',
        keep: 'users no rule maps keep their Heap access',
      }[p.unmappedUsers],
    ],
    [
      'manualOverrides',
      p.manualOverrides,
      p.manualOverrides === 'revert'
        ? 'manual changes in Heap are reverted (after an alert)'
        : 'manual changes in Heap are kept and alerted',
    ],
    ['match', p.match, `IdP users are found in Heap by ${p.match}`],
    [
      'fourEyes',
      p.fourEyes ? 'on' : 'off',
      p.fourEyes
        ? "an exception's approver is not its requester; a held run is approved by someone other than its starter"
        : `warning: ${FOUR_EYES_OFF}`,
    ],
  ];
}

export function describeGuards(p: Policy): string[][] {
  const g = p.guards;
  const onOff = (b: boolean) => (b ? 'on' : 'off');
  return [
    ['guards.lastProjectAdmin', onOff(g.lastProjectAdmin), 'never leave a project without an Admin'],
    ['guards.lastOrgAdmin', onOff(g.lastOrgAdmin), 'never leave the organization without an Admin'],
    ['guards.maxOrgAdmins', String(g.maxOrgAdmins), 'a plan with more org Admins is flagged'],
    ['guards.maxRevocations', String(g.maxRevocations), 'a run revoking more is held for approval'],
    [
      'guards.productionAdminNeedsAllow',
      onOff(g.productionAdminNeedsAllow),
      'Admin on production needs allowProductionAdmin on the rule',
    ],
  ];
}

export const reasonText = (r: RuleReason): string => `rule ${r.rule} (group ${r.group}, source ${r.source})`;

/** What each label means, for the docs' "what the sync enforces" table. */
export const ENFORCEMENT_MEANING: Record<string, string> = {
  enforced: 'written to Heap and read back by every sync',
  assisted: 'read from Heap but not written: a task asks a Heap administrator to change it, the next sync verifies it',
  unobservable: 'neither read nor written: a task asks a Heap administrator to change it and records their word',
};

export const KIND_NAMES: Record<string, string> = {
  membership: 'membership (active or deactivated)',
  org: 'organization role',
  project: 'project access',
  module: 'module permissions',
  team: 'Team membership',
};
