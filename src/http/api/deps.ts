import type { Logger } from 'pino';
import type { AccessTarget } from '../../ports/access-target.js';
import type { Clock } from '../../ports/clock.js';
import type { IdentitySource } from '../../ports/identity-source.js';
import type { Store } from '../../ports/store.js';
import type { ApprovalService } from '../../services/approvals.js';
import type { ExceptionService } from '../../services/exceptions.js';
import type { JournalService } from '../../services/journal.js';
import type { MappingHolder } from '../../services/mapping-holder.js';
import type { StatusService } from '../../services/status.js';
import type { SessionService } from '../../services/sessions.js';
import type { SyncService } from '../../services/sync.js';
import type { ReviewService } from '../../services/reviews.js';
import type { TokenAccount } from '../auth.js';

/** What the admin API needs from the runtime (`createRuntime()` returns all of it) plus the service accounts. */
export interface AdminApiDeps {
  store: Store;
  sync: Pick<SyncService, 'run' | 'plan'>;
  exceptions: ExceptionService;
  journal: Pick<JournalService, 'verify' | 'append'>;
  approvals: ApprovalService;
  reviews: ReviewService;
  mapping: Pick<MappingHolder, 'current' | 'status'>;
  sources: IdentitySource[];
  target: Pick<AccessTarget, 'name' | 'capabilities'>;
  clock: Clock;
  logger: Logger;
  /** the service accounts whose bearer tokens it accepts */
  accounts: TokenAccount[];
  /** the dashboard's sign-ins, looked up for requests without an Authorization header */
  sessions?: SessionService;
  /** shared with the dashboard so both see the same cached drift reading; created when absent */
  status?: StatusService;
  /** JSON body limit (config server.bodyLimit) */
  bodyLimit?: string;
}

/** The deps the route modules see: the status service always exists there. */
export type RouteDeps = Omit<AdminApiDeps, 'status' | 'accounts' | 'sessions' | 'bodyLimit'> & {
  status: StatusService;
};
