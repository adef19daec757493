import type { Command } from 'commander';
import { createRuntime, type Runtime } from '../main.js';
import { configOption } from './options.js';

export { configOption, printJson } from './options.js';

/** Builds the runtime for one command and closes it afterwards, whatever happens. */
export async function withRuntime<T>(command: Command, fn: (rt: Runtime) => Promise<T>): Promise<T> {
  const configFile = configOption(command);
  const rt = await createRuntime(configFile ? { configFile } : {});
  try {
    return await fn(rt);
  } finally {
    await rt.close();
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
