import fs from 'node:fs';

export type Fsync = (fd: number, callback: (err: NodeJS.ErrnoException | null) => void) => void;

export interface GroupCommit {
  /** resolves with `value` once everything committed before the call is on disk */
  durable<T>(value: T): Promise<T>;
  close(): void;
}

/**
 * Group commit for a connection in WAL mode with `synchronous = NORMAL`: commits then only write the WAL, and one
 * fsync of the WAL file makes every commit written before it durable. A write waits for the next fsync that
 * starts after it committed; writes that commit while one fsync runs share the next one, so concurrent SCIM
 * writes pay one fsync between them instead of one each (FULL), and none is acknowledged before it is on disk.
 */
export function createGroupCommit(walPath: string, options: { fsync?: Fsync } = {}): GroupCommit {
  const fsync = options.fsync ?? fs.fsync;
  let fd: number | null = null;
  let waiting: { resolve: () => void; reject: (err: Error) => void }[] = [];
  let syncing = false;
  let closed = false;
  const closeFd = () => {
    if (fd !== null) fs.closeSync(fd);
    fd = null;
  };

  const round = () => {
    const batch = waiting;
    waiting = [];
    syncing = true;
    const done = (err: Error | null) => {
      syncing = false;
      if (closed) closeFd();
      for (const w of batch) {
        if (err) w.reject(new Error(`cannot make the write durable: ${err.message}`, { cause: err }));
        else w.resolve();
      }
      if (waiting.length) round();
    };
    try {
      // Opened on first use: SQLite creates the WAL with the first write. It keeps the file (truncating, never
      // replacing it) while a connection is open.
      fd ??= fs.openSync(walPath, 'r');
    } catch (err) {
      done(err as Error);
      return;
    }
    fsync(fd, (err) => done(err));
  };

  return {
    durable<T>(value: T): Promise<T> {
      return new Promise<T>((resolve, reject) => {
        waiting.push({ resolve: () => resolve(value), reject });
        if (!syncing) round();
      });
    },
    close() {
      closed = true;
      // an fsync in flight keeps its descriptor until it returns
      if (!syncing) closeFd();
    },
  };
}
