import { startCli } from './cli.js';

export interface ServeProcess {
  name: string;
  url: string;
  child: ReturnType<typeof startCli>['child'];
  done: ReturnType<typeof startCli>['done'];
  /** the JSON log lines it wrote so far (stderr), parsed */
  logs(): Record<string, unknown>[];
}

/**
 * `serve` as its own process (a replica named `name`, HEAP_ACCESS_SYNC_REPLICA), resolved once it logs the URL it
 * listens on (the config's logLevel must be info or lower).
 */
export async function startServeProcess(
  configFile: string,
  options: {
    cwd: string;
    env: Record<string, string>;
    name: string;
    /** as if on a machine of this name: its dead runs are found by their stale lease, not by their process */
    host?: string;
  },
): Promise<ServeProcess> {
  const { child, done } = startCli(['--config', configFile, 'serve'], {
    cwd: options.cwd,
    env: { ...options.env, HEAP_ACCESS_SYNC_REPLICA: options.name },
    ...(options.host && { host: options.host }),
  });
  let stderr = '';
  const url = await new Promise<string>((resolve, reject) => {
    child.stderr!.on('data', (d: Buffer) => {
      stderr += d.toString();
      const m = /"url":"(http:\/\/127\.0\.0\.1:\d+)"/.exec(stderr);
      if (m?.[1]) resolve(m[1]);
    });
    void done.then((r) => reject(new Error(`serve ${options.name} exited ${r.code}: ${stderr.slice(-2000)}`)));
  });
  const logs = () =>
    stderr
      .split('\n')
      .filter((line) => line.startsWith('{'))
      .map((line) => JSON.parse(line) as Record<string, unknown>);
  return { name: options.name, url, child, done, logs };
}

/** Polls `read` every 100 ms until `ok` holds (at most two minutes, then it says what it waited for). */
export async function until<T>(read: () => Promise<T>, ok: (v: T) => boolean, what: string): Promise<T> {
  for (let i = 0; i < 1200; i++) {
    const value = await read();
    if (ok(value)) return value;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`timed out waiting for ${what}`);
}
