import path from 'node:path';
import { type Command, InvalidArgumentError, Option } from 'commander';
import { pino } from 'pino';
import { logLevelOption } from '../options.js';
import { ConfigError } from '../../domain/errors.js';
import { parseFaults, startStandIn, type FaultKind, type FaultOptions } from '../../stand-in/index.js';

interface StandInFlags {
  port: number;
  host: string;
  data: string;
  reset?: boolean;
  failWrites?: number;
  fault?: FaultKind[];
  faultSeed?: number;
  stallMs?: number;
  retryAfter?: number;
  projects?: string;
  profile: 'full' | 'heap-documented';
  defaultRole?: string;
}

const integer = (name: string, min: number) => (raw: string) => {
  const n = Number(raw);
  if (!Number.isInteger(n) || n < min) throw new InvalidArgumentError(`${name} must be an integer >= ${min}`);
  return n;
};
const share = (raw: string) => {
  const n = Number(raw);
  if (Number.isNaN(n) || n < 0 || n > 1) throw new InvalidArgumentError('a share between 0 and 1');
  return n;
};
const faultKinds = (raw: string, previous: FaultKind[] | undefined): FaultKind[] => {
  const kinds = raw.split(',').map((k) => k.trim());
  for (const k of kinds) if (!['500', '429', 'stall'].includes(k)) throw new InvalidArgumentError('500, 429 or stall');
  return [...(previous ?? []), ...(kinds as FaultKind[])];
};

/** Fault options from `STAND_IN_FAULTS` (JSON), overridden field by field by the flags. */
export function faultsFrom(env: NodeJS.ProcessEnv, flags: Partial<StandInFlags>): FaultOptions | undefined {
  const base = env.STAND_IN_FAULTS ? parseFaults(env.STAND_IN_FAULTS) : undefined;
  const share = flags.failWrites ?? base?.share;
  if (share === undefined) {
    if (flags.fault || flags.stallMs !== undefined || flags.retryAfter !== undefined) {
      throw new ConfigError(['--fault, --stall-ms and --retry-after need --fail-writes <share>']);
    }
    return undefined;
  }
  return {
    ...base,
    share,
    ...(flags.fault && { kinds: flags.fault }),
    ...(flags.faultSeed !== undefined && { seed: flags.faultSeed }),
    ...(flags.stallMs !== undefined && { stallMs: flags.stallMs }),
    ...(flags.retryAfter !== undefined && { retryAfterSeconds: flags.retryAfter }),
  };
}

export function registerStandIn(program: Command): void {
  program
    .command('stand-in')
    .description("run the Heap stand-in: a local, persistent Heap with SCIM 2.0 at /scim/v2 and Heap's UI at /api")
    .option('-p, --port <port>', 'port to listen on (0: any free port)', integer('port', 0), 9100)
    .option('--host <host>', 'address to listen on', '127.0.0.1')
    .option('--data <dir>', 'folder of its data (kept across restarts)', './data/stand-in')
    .option('--reset', 'start from an empty Heap')
    .option('--projects <keys>', 'comma-separated project keys this Heap has (default: any)')
    .addOption(
      new Option(
        '--profile <profile>',
        "full: roles travel in SCIM roles; heap-documented: as Heap's docs describe (roles ignored, Groups are Teams)",
      )
        .choices(['full', 'heap-documented'])
        .default('full'),
    )
    .option(
      '--default-role <role>',
      'the org role a user provisioned over SCIM starts with (heap-documented)',
      'Member',
    )
    .option('--fail-writes <share>', 'fail this share (0..1) of SCIM writes', share)
    .option(
      '--fault <kind>',
      'how a failing write fails: 500, 429 or stall (repeatable, or comma-separated)',
      faultKinds,
    )
    .option('--fault-seed <n>', 'seed of the fault PRNG (same seed, same failures)', integer('--fault-seed', 0))
    .option('--stall-ms <ms>', 'how long a stalled write hangs', integer('--stall-ms', 0))
    .option('--retry-after <seconds>', 'Retry-After of an injected 429', integer('--retry-after', 0))
    .addHelpText(
      'after',
      '\nLogs go to stderr at info unless --log-level. The bearer token for /scim/v2 and /api is read from HEAP_SCIM_TOKEN. Faults may also come from\nSTAND_IN_FAULTS, e.g. {"share":0.2,"kinds":["500","429"],"seed":7}.',
    )
    .action(async (flags: StandInFlags, command: Command) => {
      const problems: string[] = [];
      const token = process.env.HEAP_SCIM_TOKEN;
      if (!token) problems.push('HEAP_SCIM_TOKEN is not set: the stand-in needs a bearer token for /scim/v2 and /api');
      let faults: FaultOptions | undefined;
      try {
        faults = faultsFrom(process.env, flags);
      } catch (err) {
        if (!(err instanceof ConfigError)) throw err;
        problems.push(...err.problems);
      }
      if (problems.length || !token) throw new ConfigError(problems);
      const level = logLevelOption(command) ?? 'info';
      const logger = pino({ level, base: { component: 'stand-in' } }, pino.destination(2));
      const projects = flags.projects
        ?.split(',')
        .map((p) => p.trim())
        .filter(Boolean);
      const dataDir = path.resolve(flags.data);
      const running = await startStandIn({
        port: flags.port,
        host: flags.host,
        dataDir,
        token,
        ...(flags.reset && { reset: true }),
        ...(projects?.length && { projects }),
        profile: flags.profile,
        ...(flags.defaultRole !== undefined && { defaultRole: flags.defaultRole }),
        ...(faults && { faults }),
        logger,
      });
      process.stdout.write(
        `Heap stand-in listening on ${running.url} (SCIM ${running.scimUrl}, data ${dataDir}, profile ${flags.profile})\n`,
      );
      await new Promise<void>((resolve) => {
        const stop = () => {
          process.off('SIGINT', stop);
          process.off('SIGTERM', stop);
          void running.close().then(resolve);
        };
        process.on('SIGINT', stop);
        process.on('SIGTERM', stop);
      });
    });
}
