/**
 * `npm run bench [-- <name filter>]`: runs every benchmark in test/bench/ (each `*.ts` here but this one, exporting
 * `run(): Promise<void>`), each in its own Node process so timings and peak RSS are not polluted by the others.
 */
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const self = fileURLToPath(import.meta.url);
const dir = path.dirname(self);

interface Benchmark {
  run(): Promise<void>;
}

async function runChild(file: string): Promise<void> {
  const mod = (await import(pathToFileURL(path.join(dir, file)).href)) as Partial<Benchmark>;
  if (typeof mod.run !== 'function') throw new Error(`${file} does not export run()`);
  await mod.run();
}

function main(argv: string[]): number {
  const filter = argv.find((a) => !a.startsWith('-')) ?? '';
  const files = fs
    .readdirSync(dir)
    .filter((f) => f.endsWith('.ts') && f !== path.basename(self) && !f.endsWith('.test.ts'))
    .filter((f) => f.includes(filter))
    .sort();
  if (!files.length) {
    console.error(`no benchmark matches "${filter}" in ${dir}`);
    return 1;
  }
  let failed = 0;
  for (const file of files) {
    console.log(`\n=== ${file}`);
    const child = spawnSync(process.execPath, [...process.execArgv, '--expose-gc', self, '--child', file], {
      stdio: 'inherit',
    });
    if (child.status !== 0) {
      failed++;
      console.error(`${file} failed (exit ${child.status ?? child.signal})`);
    }
  }
  return failed ? 1 : 0;
}

const childAt = process.argv.indexOf('--child');
if (childAt >= 0) {
  const file = process.argv[childAt + 1] ?? '';
  await runChild(file);
} else {
  process.exitCode = main(process.argv.slice(2));
}
