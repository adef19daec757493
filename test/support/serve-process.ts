import { startCli } from './cli.js';

export interface ServeProcess {
  name: string;
  url: string;
  child: ReturnType<typeof startCli>['child'];
  done: ReturnType<typeof startCli>['done'];
}

/** `serve` as its own process (a replica named `name`), resolved once it logs the URL it listens on. */
export async function startServeProcess(
  configFile: string,
  options: { cwd: string; env: Record<string, string>; name: string },
): Promise<ServeProcess> {
  const { child, done } = startCli(['--config', configFile, 'serve'], {
    cwd: options.cwd,
    env: { ...options.env, HEAP_ACCESS_SYNC_REPLICA: options.name },
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
  return { name: options.name, url, child, done };
}

/** Polls `read` every 100 ms until `ok` holds; the test's own timeout bounds the wait. */
export async function until<T>(read: () => Promise<T>, ok: (v: T) => boolean): Promise<T> {
  for (;;) {
    const value = await read();
    if (ok(value)) return value;
    await new Promise((r) => setTimeout(r, 100));
  }
}
