import express, { type Request, type Router } from 'express';
import type { Logger } from 'pino';
import { BadRequestError, NotFoundError } from '../../domain/errors.js';
import type { AccessRules } from '../access-rules.js';
import type { ActivityLog } from '../activity-log.js';
import { requireBearer } from '../auth.js';
import { type FaultInjector, faultOptionsSchema, type FaultOptions } from '../faults.js';
import type { GroupsStore } from '../groups-store.js';
import type { StandInProfile } from '../scim/user-resource.js';
import { overlappingWindows, type Traffic } from '../traffic.js';
import type { ChangeContext, UsersStore } from '../users-store.js';
import { apiErrorHandler, sendApiError } from './http-errors.js';
import { readTeamBody, saveTeam, toTeamView } from './teams.js';
import { addTeammate, changeTeammate, readTeammateChange, toTeammate } from './teammates.js';

/** What an administrator sets in Heap itself: the role a provisioned user starts with. */
export interface StandInSettings {
  profile: StandInProfile;
  defaultRole: string;
}

export interface ApiRouterDeps {
  token: string;
  users: UsersStore;
  groups: GroupsStore;
  activity: ActivityLog;
  rules: AccessRules;
  faults: FaultInjector;
  traffic: Traffic;
  settings: StandInSettings;
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
  const { users, groups, rules } = deps;
  const router = express.Router();
  router.use(requireBearer(deps.token, (res, detail) => sendApiError(res, 401, detail)));
  router.use(express.json({ limit: '1mb' }));

  router.get('/teammates', (_req, res) => {
    const teams = groups.teamAccess();
    const teammates = users.all().map((u) => toTeammate(u, teams, rules));
    teammates.sort((a, b) => (a.email < b.email ? -1 : a.email > b.email ? 1 : 0));
    res.json({ teammates });
  });
  router.get('/teammates/:email', (req, res) => {
    const user = users.findByUserName(req.params.email);
    if (!user) throw new NotFoundError(`no teammate ${req.params.email}`);
    res.json(toTeammate(user, groups.teamAccess(user.seq), rules));
  });
  router.post('/teammates', (req, res) => {
    res.status(201).json(addTeammate(users, req.body, rules, uiActor(req)));
  });
  router.patch('/teammates/:email', (req, res) => {
    const change = readTeammateChange(req.body, rules);
    const teammate = changeTeammate({ users, groups, rules }, req.params.email, change, uiActor(req));
    if (teammate) res.json(teammate);
    else res.status(204).end();
  });

  router.get('/teams', (_req, res) => {
    const teams = groups.all().map((g) => toTeamView(groups, users, g));
    teams.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
    res.json({ teams });
  });
  router.get('/teams/:name', (req, res) => {
    const group = groups.findByName(req.params.name);
    if (!group) throw new NotFoundError(`no Team ${req.params.name}`);
    res.json(toTeamView(groups, users, group));
  });
  router.put('/teams/:name', (req, res) => {
    const change = readTeamBody(req.body, rules, true);
    const { team, created } = saveTeam({ users, groups }, req.params.name, change, true, uiActor(req));
    res.status(created ? 201 : 200).json(team);
  });
  router.patch('/teams/:name', (req, res) => {
    const change = readTeamBody(req.body, rules, false);
    res.json(saveTeam({ users, groups }, req.params.name, change, false, uiActor(req)).team);
  });
  router.delete('/teams/:name', (req, res) => {
    const group = groups.findByName(req.params.name);
    if (!group) throw new NotFoundError(`no Team ${req.params.name}`);
    groups.remove(group, uiActor(req));
    res.status(204).end();
  });

  router.get('/settings', (_req, res) => {
    res.json(deps.settings);
  });
  router.patch('/settings', (req, res) => {
    const body = req.body as { defaultRole?: unknown } | undefined;
    const role = body?.defaultRole;
    const allowed = rules.model?.orgRoles;
    if (typeof role !== 'string' || !role.trim() || (allowed && !allowed.includes(role))) {
      throw new BadRequestError(
        `body must be { "defaultRole": <an org role${allowed ? `: ${allowed.join(', ')}` : ''}> }`,
      );
    }
    deps.settings.defaultRole = role;
    res.json(deps.settings);
  });

  router.get('/activity', (req, res) => {
    const raw = typeof req.query.limit === 'string' ? req.query.limit : undefined;
    const limit = raw === undefined ? DEFAULT_ACTIVITY : Number(raw);
    const problems: string[] = [];
    if (!Number.isInteger(limit) || limit < 1) problems.push('"limit" must be a positive integer');
    const afterRaw = typeof req.query.after === 'string' ? req.query.after : undefined;
    const after = afterRaw === undefined ? undefined : Number(afterRaw);
    if (after !== undefined && (!Number.isInteger(after) || after < 0))
      problems.push('"after" must be a sequence number');
    const since = typeof req.query.since === 'string' ? req.query.since : undefined;
    if (since !== undefined && Number.isNaN(Date.parse(since))) problems.push('"since" must be an ISO 8601 time');
    const order = req.query.order ?? 'desc';
    if (order !== 'asc' && order !== 'desc') problems.push('"order" is asc or desc');
    if (problems.length) throw new BadRequestError(problems.join('; '), problems);
    const rawTeammates = req.query.teammate;
    const teammates = (Array.isArray(rawTeammates) ? rawTeammates : rawTeammates ? [rawTeammates] : []).filter(
      (t): t is string => typeof t === 'string',
    );
    res.json({
      activity: deps.activity.query({
        limit: Math.min(limit, MAX_ACTIVITY),
        ascending: order === 'asc',
        ...(after !== undefined && { after }),
        ...(since !== undefined && { since }),
        ...(teammates.length && { teammates }),
      }),
    });
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
  // evidence for tests of one-run-at-a-time: when each run's writes landed, and which windows intersect
  router.get('/write-windows', (_req, res) => {
    const windows = deps.traffic.windows();
    res.json({ windows, overlaps: overlappingWindows(windows) });
  });

  router.use((req, res) => sendApiError(res, 404, `no route ${req.method} ${req.baseUrl}${req.path}`));
  router.use(apiErrorHandler(deps.logger));
  return router;
}
