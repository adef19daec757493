import type { Command } from 'commander';
import { createRuntime, type Runtime } from '../main.js';

/** The config path given to the root program (`--config`), wherever the command sits. */
export function configOption(command: Command): string | undefined {
  let c: Command | null = command;
  while (c) {
    const value = c.opts().config as string | undefined;
    if (value) return value;
    c = c.parent;
  }
  return undefined;
}

/** Builds the runtime for one command and closes it afterwards, whatever happens. */
export async function withRuntime<T>(command: Command, fn: (rt: Runtime) => Promise<T>): Promise<T> {
  const configFile = configOption(command);
  const rt = await createRuntime(configFile ? { configFile } : {});
  try {
    return await fn(rt);
  } finally {
    rt.close();
  }
}

/** Progress on a terminal; silence when piped (DESIGN §6). */
export function progressPrinter(): ((phase: string, p?: { done: number; total: number }) => void) | undefined {
  if (!process.stderr.isTTY) return undefined;
  let last = '';
  return (phase, p) => {
    const line = p ? `${phase} ${p.done}/${p.total}` : phase;
    if (line === last) return;
    last = line;
    process.stderr.write(`\r\x1b[2K${line}`);
    if (!p || p.done === p.total) process.stderr.write('\n');
  };
}

export const printJson = (value: unknown): void => {
  process.stdout.write(`${JSON.stringify(value, null, 2)}\n`);
};
