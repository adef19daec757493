import path from 'node:path';
import type { Command } from 'commander';
import { closeOnSignals } from './serve.js';

export function registerDemo(program: Command): void {
  program
    .command('demo')
    .description(
      'run everything on the embedded defaults: Heap stand-in, SQLite in ./data, example mapping (npm start)',
    )
    .option('--port <port>', 'dashboard, API and SCIM port', '8080')
    .option('--heap-port <port>', 'Heap stand-in port (the default target URL uses 9100)', '9100')
    .option('--data <dir>', 'data folder', './data')
    .action(async (opts: { port: string; heapPort: string; data: string }) => {
      const { startDemo } = await import('../../demo.js');
      const demo = await startDemo({
        cwd: process.cwd(),
        dataDir: path.resolve(opts.data),
        port: Number(opts.port),
        heapPort: Number(opts.heapPort),
        env: process.env,
        print: (line) => console.log(line),
      });
      closeOnSignals(demo);
    });
}
