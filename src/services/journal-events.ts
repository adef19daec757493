import { randomUUID } from 'node:crypto';
import type { JournalEvent, JournalRecord } from '../domain/journal.js';
import type { Clock } from '../ports/clock.js';
import type { NewJournalRecord, Store } from '../ports/store.js';
import type { JournalService } from './journal.js';

export interface EventJournalDeps {
  store: Store;
  clock: Clock;
  /** appends the record and writes its signed checkpoint, as after a run; absent: the store alone */
  journal?: Pick<JournalService, 'append'> | undefined;
}

/**
 * What changes access without being a run goes into the journal's chain all the same (DESIGN §11): an exception
 * created or revoked, a pending approval decided. One record (status `recorded`) with the actor and the event;
 * `scope` names the user it is about, so a user's history finds it.
 */
export function createEventJournal(deps: EventJournalDeps) {
  return async function journalEvent(
    trigger: 'exception' | 'approval',
    actor: string,
    user: string,
    event: JournalEvent,
  ): Promise<JournalRecord> {
    const at = deps.clock.now().toISOString();
    const stamp = at.replace(/[-:]/g, '').replace(/\.\d+Z$/, 'Z');
    const record: NewJournalRecord = {
      id: `${trigger}-${stamp}-${randomUUID().slice(0, 6)}`,
      trigger,
      actor,
      startedAt: at,
      endedAt: at,
      status: 'recorded',
      mappingVersion: null,
      identityVersion: null,
      scope: [user.toLowerCase()],
      preSync: {},
      plan: null,
      results: [],
      postSync: {},
      postSyncDiff: [],
      event,
    };
    return deps.journal ? deps.journal.append(record) : deps.store.commitRun(record, new Map());
  };
}

export type EventJournal = ReturnType<typeof createEventJournal>;
