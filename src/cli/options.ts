import os from 'node:os';
import { type Command, InvalidArgumentError } from 'commander';

/** A global option given to the root program, wherever the command sits. */
function globalOption(command: Command, name: string): string | undefined {
  for (let c: Command | null = command; c; c = c.parent) {
    const value = c.opts()[name] as string | undefined;
    if (value) return value;
  }
  return undefined;
}

/** The config path given to the root program (`--config`). */
export const configOption = (command: Command): string | undefined => globalOption(command, 'config');

/** `--log-level`, when given. */
export const logLevelOption = (command: Command): string | undefined => globalOption(command, 'logLevel');

export const printJson = (value: unknown): void => {
  process.stdout.write(`${JSON.stringify(value, null, 2)}\n`);
};

/** The command as a person typed it, without the program: `journal list`, `plan`. */
export function commandName(command: Command): string {
  const names: string[] = [];
  for (let c: Command | null = command; c?.parent; c = c.parent) names.unshift(c.name());
  return names.join(' ') || command.name();
}

/** A commander argument parser for a whole number in [min, max]: anything else is a usage error (exit 2). */
export const integerArg =
  (what: string, min: number, max = Number.MAX_SAFE_INTEGER) =>
  (raw: string): number => {
    const n = Number(raw);
    if (!/^\s*-?\d+\s*$/.test(raw) || !Number.isSafeInteger(n) || n < min || n > max) {
      throw new InvalidArgumentError(
        `${what} must be a whole number ${max === Number.MAX_SAFE_INTEGER ? `>= ${min}` : `from ${min} to ${max}`}`,
      );
    }
    return n;
  };

export const portArg = integerArg('a port', 0, 65535);

/** Who a writing command acts as when `--actor` is not given: the OS user. */
export function defaultActor(): string {
  try {
    return os.userInfo().username || process.env.USER || 'cli';
  } catch {
    return process.env.USER || 'cli';
  }
}

/** `--actor <name>` for every command that writes: the journal records it (four eyes compare it). */
export const addActorOption = (command: Command): Command =>
  command.option('--actor <name>', 'who is doing this, as the journal records it (default: the OS user)');

/** The actor of a writing command: `--actor`, trimmed, else the OS user. */
export function actorOf(opts: { actor?: string }): string {
  const given = opts.actor?.trim();
  if (opts.actor !== undefined && !given) throw new InvalidArgumentError('--actor must not be empty');
  return given || defaultActor();
}
