import { spawn, type ChildProcess } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const ENTRY = path.join(ROOT, 'src/cli/main.ts');
// resolved here, not from the child's cwd (tests run the CLI in temp folders)
const TSX = import.meta.resolve('tsx');

export interface CliResult {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

/** Spawns the real CLI (through tsx, so tests run the source) and collects its output. */
export function startCli(
  args: string[],
  options: {
    cwd?: string;
    env?: Record<string, string | undefined>;
    /** runs it as if on another machine: a host name of its own (a UTS namespace, through `unshare`) */
    host?: string;
  } = {},
): {
  child: ChildProcess;
  done: Promise<CliResult>;
} {
  const env: Record<string, string | undefined> = { ...process.env, HTTPS_PROXY: '', https_proxy: '', ...options.env };
  // the test script names the test CA relative to the project; children run in temp folders
  if (env.NODE_EXTRA_CA_CERTS) env.NODE_EXTRA_CA_CERTS = path.resolve(ROOT, env.NODE_EXTRA_CA_CERTS);
  const command = [process.execPath, '--import', TSX, ENTRY, ...args];
  const [file, ...argv] = options.host
    ? [
        'unshare',
        '--user',
        '--map-root-user',
        '--uts',
        'sh',
        '-c',
        'hostname "$0" && exec "$@"',
        options.host,
        ...command,
      ]
    : command;
  const child = spawn(file!, argv, {
    cwd: options.cwd ?? ROOT,
    env: env as NodeJS.ProcessEnv,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stdout!.on('data', (d: Buffer) => (stdout += d.toString()));
  child.stderr!.on('data', (d: Buffer) => (stderr += d.toString()));
  const done = new Promise<CliResult>((resolve) => {
    child.on('close', (code, signal) => resolve({ code, signal, stdout, stderr }));
  });
  return { child, done };
}

export const runCli = (args: string[], options: { cwd?: string; env?: Record<string, string | undefined> } = {}) =>
  startCli(args, options).done;

/** Parses a CLI's JSON output, with the output in the error when it is not JSON. */
export function parseJsonOutput<T>(result: CliResult): T {
  try {
    return JSON.parse(result.stdout) as T;
  } catch {
    throw new Error(`not JSON (exit ${result.code}):\n${result.stdout}\n--- stderr ---\n${result.stderr}`);
  }
}
