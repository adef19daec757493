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
 * A record of the chain that is not a run: one moment, status `recorded`, no plan and no Heap state; the id is the
 * trigger, the time and a random suffix. Every such record (exceptions, approvals, tasks, reviews, rekey) is this shape.
 */
export function eventRecord(
  fields: Pick<NewJournalRecord, 'trigger' | 'actor' | 'scope' | 'event' | 'review'> & {
    at: string;
    mappingVersion?: string | null;
  },
): NewJournalRecord {
  const { at, mappingVersion = null, ...rest } = fields;
  const stamp = at.replace(/[-:]/g, '').replace(/\.\d+Z$/, 'Z');
  return {
    id: `${fields.trigger}-${stamp}-${randomUUID().slice(0, 6)}`,
    startedAt: at,
    endedAt: at,
    status: 'recorded',
    mappingVersion,
    identityVersion: null,
    preSync: {},
    plan: null,
    results: [],
    postSync: {},
    postSyncDiff: [],
    ...rest,
  };
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
    const record = eventRecord({
      trigger,
      actor,
      at: deps.clock.now().toISOString(),
      scope: [user.toLowerCase()],
      event,
    });
    return deps.journal ? deps.journal.append(record) : deps.store.commitRun(record, new Map());
  };
}

export type EventJournal = ReturnType<typeof createEventJournal>;
