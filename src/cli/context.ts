import type { Command } from 'commander';
import { createLogger, createRuntime, openStoreRuntime, type Runtime, type StoreRuntime } from '../main.js';
import { commandName, configOption, logLevelOption } from './options.js';
import { createTerminal, type Terminal } from './terminal.js';

export { configOption, printJson } from './options.js';

/** CLI commands log warnings and errors unless --log-level says otherwise; their output is what they print. */
const CLI_LOG_LEVEL = 'warn';

/**
 * Builds the whole runtime (mapping, sources, target, sync) for one command and closes it afterwards, whatever
 * happens. It needs the config's mappings, sources and target, and the secrets they name.
 */
export async function withRuntime<T>(
  command: Command,
  fn: (rt: Runtime, terminal: Terminal) => Promise<T>,
  options: {
    /** send the configured alerts (commands that sync); closing waits for their delivery */ alerts?: boolean;
  } = {},
): Promise<T> {
  const terminal = createTerminal();
  const configFile = configOption(command);
  const rt = await createRuntime({
    ...(configFile && { configFile }),
    ...(options.alerts && { alerts: true }),
    command: commandName(command),
    logger: createLogger(logLevelOption(command) ?? CLI_LOG_LEVEL, terminal.logStream),
  });
  try {
    return await fn(rt, terminal);
  } finally {
    terminal.done();
    await rt.close();
  }
}

/** The store alone, for the commands that only read or write records (journal, exceptions): no secret needed. */
export async function withStore<T>(command: Command, fn: (rt: StoreRuntime) => Promise<T>): Promise<T> {
  const configFile = configOption(command);
  const rt = await openStoreRuntime({
    ...(configFile && { configFile }),
    command: commandName(command),
    logger: createLogger(logLevelOption(command) ?? CLI_LOG_LEVEL),
  });
  try {
    return await fn(rt);
  } finally {
    await rt.close();
  }
}

/**
 * One command's runtime, each part opened on first use and at most once, and all closed once when the command ends
 * (explain reads the sources, the store and Heap: one runtime serves the three).
 */
export interface CommandContext {
  /** the whole runtime (mapping, sources, target): it needs their secrets; a failure is kept, not retried */
  runtime(): Promise<Runtime>;
  /** the whole runtime's store when it was opened, else the store alone (no secret) */
  store(): Promise<StoreRuntime>;
}

export async function withCommandContext<T>(command: Command, fn: (ctx: CommandContext) => Promise<T>): Promise<T> {
  const terminal = createTerminal();
  const configFile = configOption(command);
  const options = { ...(configFile && { configFile }), command: commandName(command) };
  let whole: Promise<Runtime> | null = null;
  let storeAlone: Promise<StoreRuntime> | null = null;
  const ctx: CommandContext = {
    runtime() {
      // the store alone is open: a whole runtime now would open a second store
      if (storeAlone) throw new Error('internal: a command asks for the whole runtime before the store alone');
      return (whole ??= createRuntime({
        ...options,
        logger: createLogger(logLevelOption(command) ?? CLI_LOG_LEVEL, terminal.logStream),
      }));
    },
    async store() {
      const built = await whole?.then(
        (rt) => rt,
        () => null,
      );
      if (built) return built;
      return (storeAlone ??= openStoreRuntime({
        ...options,
        logger: createLogger(logLevelOption(command) ?? CLI_LOG_LEVEL),
      }));
    },
  };
  try {
    return await fn(ctx);
  } finally {
    terminal.done();
    // each opened part once; one that failed to open has nothing to close
    const opened: (Promise<{ close(): Promise<void> }> | null)[] = [whole, storeAlone];
    for (const part of opened) await (await part?.catch(() => null))?.close();
  }
}
