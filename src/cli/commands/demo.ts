import path from 'node:path';
import type { Command } from 'commander';
import { portArg } from '../options.js';
import { closeOnSignals } from './serve.js';

export function registerDemo(program: Command): void {
  program
    .command('demo')
    .description(
      'run everything on example data (npm start): Heap stand-in, SQLite in ./data, the example mapping and directory',
    )
    .option('--port <port>', 'dashboard, API and SCIM port (0: any free port)', portArg, 8080)
    .option('--heap-port <port>', 'Heap stand-in port (0: any free port)', portArg, 9100)
    .option('--data <dir>', 'data folder (its demo.env says what to export to use the CLI on the demo)', './data')
    .action(async (opts: { port: number; heapPort: number; data: string }) => {
      const { startDemo } = await import('../../demo.js');
      const demo = await startDemo({
        cwd: process.cwd(),
        dataDir: path.resolve(opts.data),
        port: opts.port,
        heapPort: opts.heapPort,
        env: process.env,
        print: (line) => console.log(line),
      });
      closeOnSignals(demo);
    });
}
