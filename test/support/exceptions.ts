import type { CliResult } from './cli.js';

/** What `exceptions add` is told: one place for the flags, so a change to them (four eyes, --actor) is made once. */
export interface ExceptionToAdd {
  user: string;
  entitlement: string;
  /** the value it grants; without it, `fromDrift` takes what Heap has now */
  value?: string;
  fromDrift?: boolean;
  reason: string;
  approver: string;
  /** who asks for it (`--actor`); the CLI's default is the OS user */
  actor?: string;
  expires: string;
  json?: boolean;
}

export function exceptionAddArgs(e: ExceptionToAdd): string[] {
  return [
    'exceptions',
    'add',
    ...(e.fromDrift ? ['--from-drift'] : []),
    '--user',
    e.user,
    '--entitlement',
    e.entitlement,
    ...(e.value !== undefined ? ['--value', e.value] : []),
    '--reason',
    e.reason,
    '--approver',
    e.approver,
    ...(e.actor !== undefined ? ['--actor', e.actor] : []),
    '--expires',
    e.expires,
    ...(e.json ? ['--json'] : []),
  ];
}

/** Runs `exceptions add` through a workspace's CLI; the caller asserts on the result. */
export function addException(
  cli: (args: string[], env?: Record<string, string>) => Promise<CliResult>,
  e: ExceptionToAdd,
  env?: Record<string, string>,
): Promise<CliResult> {
  return cli(exceptionAddArgs(e), env);
}
