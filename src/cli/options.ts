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
