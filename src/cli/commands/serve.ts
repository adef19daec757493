import type { Command } from 'commander';
import { configOption, logLevelOption, portArg } from '../options.js';

/** Stops gracefully on SIGTERM/SIGINT: no new work, the run in progress finishes, alerts drain. */
export function closeOnSignals(service: { close(): Promise<void> }): void {
  let closing = false;
  const stop = (signal: string) => {
    if (closing) return;
    closing = true;
    console.error(`${signal}: shutting down`);
    service.close().then(
      () => process.exit(0),
      (err: unknown) => {
        console.error(`shutdown failed: ${(err as Error).message}`);
        process.exit(1);
      },
    );
  };
  process.on('SIGTERM', () => stop('SIGTERM'));
  process.on('SIGINT', () => stop('SIGINT'));
}

export function registerServe(program: Command): void {
  program
    .command('serve')
    .description('SCIM inbound, admin API, dashboard, scheduled reconciliation and drift alerts')
    .option('--host <host>', 'listen address (default: config server.host)')
    .option('--port <port>', 'listen port (default: config server.port)', portArg)
    .action(async (opts: { host?: string; port?: number }, command: Command) => {
      const configFile = configOption(command);
      const logLevel = logLevelOption(command);
      // loaded on use: the HTTP stack and scimmy are not needed by the other commands
      const { startService } = await import('../../serve.js');
      const service = await startService({
        ...(configFile && { configFile }),
        ...(logLevel && { logLevel }),
        ...(opts.host && { host: opts.host }),
        ...(opts.port !== undefined && { port: opts.port }),
      });
      console.log(`heap-access-sync listening on ${service.url}`);
      closeOnSignals(service);
    });
}
