import os from 'node:os';
import { describe, expect, it } from 'vitest';
import { createLockOwner, isLockOwnerDead } from '../../../src/store/lock-owner.js';
import { findDeadPid } from '../../contract/store.contract.js';

describe('lock owners', () => {
  it('names this host and process', () => {
    expect(createLockOwner('run-1')).toBe(`${os.hostname()}:${process.pid}:run-1`);
    expect(createLockOwner()).toMatch(new RegExp(`^${os.hostname()}:${process.pid}:[0-9a-f-]{36}$`));
  });

  it('is dead only for a pid of this host that no longer exists', () => {
    const deadPid = findDeadPid();
    expect(isLockOwnerDead(`${os.hostname()}:${deadPid}:run`)).toBe(true);
    expect(isLockOwnerDead(`${os.hostname()}:${process.pid}:run`)).toBe(false);
    expect(isLockOwnerDead(`${os.hostname()}:${process.ppid}:run`)).toBe(false);
    expect(isLockOwnerDead(`elsewhere:${deadPid}:run`)).toBe(false);
    expect(isLockOwnerDead(`elsewhere:${deadPid}:run`, 'elsewhere')).toBe(true);
  });

  it('never calls an owner of another form dead', () => {
    expect(isLockOwnerDead('run-a')).toBe(false);
    expect(isLockOwnerDead(`${os.hostname()}:0:run`)).toBe(false);
    expect(isLockOwnerDead(`${os.hostname()}:abc:run`)).toBe(false);
    expect(isLockOwnerDead(`${os.hostname()}:123`)).toBe(false);
  });
});
