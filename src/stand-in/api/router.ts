import express, { type Request, type Router } from 'express';
import type { Logger } from 'pino';
import { BadRequestError, NotFoundError } from '../../domain/errors.js';
import type { AccessRules } from '../access-rules.js';
import { requireBearer } from '../auth.js';
import { type FaultInjector, faultOptionsSchema, type FaultOptions } from '../faults.js';
import type { ChangeContext, UsersStore } from '../users-store.js';
import { apiErrorHandler, sendApiError } from './http-errors.js';
import { addTeammate, changeTeammate, readTeammateChange, toTeammate } from './teammates.js';

export interface ApiRouterDeps {
  token: string;
  users: UsersStore;
  rules: AccessRules;
  faults: FaultInjector;
  logger?: Logger;
}

const DEFAULT_ACTIVITY = 100;
const MAX_ACTIVITY = 10_000;

/** Who is changing things by hand: `X-Heap-Actor`, or the body's `actor`, or "admin". */
const uiActor = (req: Request): ChangeContext => {
  const fromBody = (req.body as { actor?: unknown } | undefined)?.actor;
  const actor = req.get('x-heap-actor') ?? (typeof fromBody === 'string' ? fromBody : 'admin');
  return { via: 'ui', actor: actor.slice(0, 200) };
};

/** Heap's "UI" at /api: what an administrator sees and changes by hand. */
export function createApiRouter(deps: ApiRouterDeps): Router {
  const { users, rules } = deps;
  const router = express.Router();
  router.use(requireBearer(deps.token, (res, detail) => sendApiError(res, 401, detail)));
  router.use(express.json({ limit: '1mb' }));

  router.get('/teammates', (_req, res) => {
    const teammates = users.all().map(toTeammate);
    teammates.sort((a, b) => (a.email < b.email ? -1 : a.email > b.email ? 1 : 0));
    res.json({ teammates });
  });
  router.get('/teammates/:email', (req, res) => {
    const user = users.findByUserName(req.params.email);
    if (!user) throw new NotFoundError(`no teammate ${req.params.email}`);
    res.json(toTeammate(user));
  });
  router.post('/teammates', (req, res) => {
    res.status(201).json(addTeammate(users, req.body, rules, uiActor(req)));
  });
  router.patch('/teammates/:email', (req, res) => {
    const change = readTeammateChange(req.body, rules);
    const teammate = changeTeammate(users, req.params.email, change, uiActor(req));
    if (teammate) res.json(teammate);
    else res.status(204).end();
  });

  router.get('/activity', (req, res) => {
    const raw = typeof req.query.limit === 'string' ? req.query.limit : undefined;
    const limit = raw === undefined ? DEFAULT_ACTIVITY : Number(raw);
    if (!Number.isInteger(limit) || limit < 1) throw new BadRequestError('"limit" must be a positive integer');
    const teammate = typeof req.query.teammate === 'string' ? req.query.teammate : undefined;
    res.json({ activity: users.activity(Math.min(limit, MAX_ACTIVITY), teammate) });
  });

  // test hooks: switch fault injection at run time and count SCIM traffic (the benchmark's "requests sent")
  router.get('/faults', (_req, res) => {
    res.json({ faults: deps.faults.get() ?? null });
  });
  router.put('/faults', (req, res) => {
    const body = req.body as { faults?: unknown } | undefined;
    if (body?.faults === null) deps.faults.set(undefined);
    else {
      const parsed = faultOptionsSchema.safeParse(body?.faults);
      if (!parsed.success) {
        throw new BadRequestError(
          'body must be { "faults": { "share": 0..1, "kinds": [...] } | null }',
          parsed.error.issues,
        );
      }
      deps.faults.set(parsed.data as FaultOptions);
    }
    res.json({ faults: deps.faults.get() ?? null });
  });
  router.get('/stats', (_req, res) => {
    res.json(deps.faults.stats());
  });

  router.use((req, res) => sendApiError(res, 404, `no route ${req.method} ${req.baseUrl}${req.path}`));
  router.use(apiErrorHandler(deps.logger));
  return router;
}
