import type { Command } from 'commander';

/** The config path given to the root program (`--config`), wherever the command sits. */
export function configOption(command: Command): string | undefined {
  for (let c: Command | null = command; c; c = c.parent) {
    const value = c.opts().config as string | undefined;
    if (value) return value;
  }
  return undefined;
}

export const printJson = (value: unknown): void => {
  process.stdout.write(`${JSON.stringify(value, null, 2)}\n`);
};
