// Test helper run as a child process: waits for a shared start time, then races for the lock.
import { openSqliteStore } from '../../../../src/store/sqlite/open-sqlite-store.js';

const [file, owner, startAt] = process.argv.slice(2);
if (!file || !owner || !startAt) throw new Error('usage: acquire-lock-child <file> <owner> <startAt>');
const store = openSqliteStore(file);
// Sleep, then spin the last few milliseconds, so that every child reaches BEGIN IMMEDIATE at the same moment.
const sleepMs = Number(startAt) - Date.now() - 20;
if (sleepMs > 0) Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, sleepMs);
while (Date.now() < Number(startAt)) {
  // spin
}
const acquired = await store.acquireLock('heap', owner, 60_000, new Date());
await store.close();
process.stdout.write(acquired ? 'acquired\n' : 'refused\n');
