import type { Request, Response, Router } from 'express';
import type { GroupsStore } from '../groups-store.js';
import { toSqlWhere, USER_COLUMNS } from '../sql-filter.js';
import type { Traffic } from '../traffic.js';
import type { UserRecord, UsersStore } from '../users-store.js';
import { notFound, ScimError } from './errors.js';
import { createKeyedMutex } from '../../http/scim/keyed-mutex.js';
import { applyPatchOp, filterResources } from './engine.js';
import type { JsonObject } from './json.js';
import { listResponse, paramsOf, readListParams, readProjection, type ListParams, type Params } from './list.js';
import { project } from './projection.js';
import { HEAP_SCHEMA, USER_SCHEMAS } from './schema-defs.js';
import { readUserBody, toUserResource, type UserContext } from './user-resource.js';
import { baseUrlOf, sendScim } from './respond.js';

export interface UserRoutesDeps {
  users: UsersStore;
  groups: GroupsStore;
  ctx: UserContext;
  traffic: Traffic;
}

export function registerUserRoutes(router: Router, deps: UserRoutesDeps): void {
  const { users, groups, ctx, traffic } = deps;
  const withLock = createKeyedMutex();
  const represent = (user: UserRecord, req: Request) =>
    toUserResource(user, groups.groupsOfUser(user.seq), baseUrlOf(req), ctx);
  const find = (id: string): UserRecord => {
    const user = users.findById(id);
    if (!user) throw notFound(`User ${id} not found`);
    return user;
  };
  const assertUnique = (userName: string, self?: UserRecord) => {
    const other = users.findByUserName(userName);
    if (other && other.seq !== self?.seq)
      throw new ScimError(409, 'uniqueness', `userName "${userName}" is already taken`);
  };

  const list = (req: Request, res: Response, params: Params) => {
    const p: ListParams = readListParams(params, USER_SCHEMAS, 'User');
    const offset = p.startIndex - 1;
    const where = p.filter ? toSqlWhere(p.filter, USER_COLUMNS) : null;
    let total: number;
    let resources: JsonObject[];
    if (!p.filter || where) {
      const page = users.page(where, offset, p.count);
      total = page.total;
      resources = page.users.map((u) => represent(u, req));
    } else {
      const matched = filterResources(
        p.filter,
        users.all().map((u) => represent(u, req)),
      );
      total = matched.length;
      resources = matched.slice(offset, offset + p.count);
    }
    sendScim(
      res,
      200,
      listResponse(
        total,
        p.startIndex,
        resources.map((r) => project(r, p.projection)),
      ),
    );
  };

  router.get('/Users', (req, res) => list(req, res, paramsOf(req)));
  router.post('/Users/.search', (req, res) => list(req, res, (req.body ?? {}) as Params));

  router.get('/Users/:id', (req, res) => {
    const projection = readProjection(paramsOf(req), USER_SCHEMAS);
    sendScim(res, 200, project(represent(find(req.params.id), req), projection));
  });

  router.post('/Users', (req, res) => {
    const projection = readProjection(paramsOf(req), USER_SCHEMAS);
    const draft = readUserBody(req.body, 'create', undefined, ctx);
    assertUnique(draft.userName);
    const created = users.create(draft, traffic.scimContext(req, res));
    const resource = represent(created, req);
    res.location(`${baseUrlOf(req)}/Users/${created.id}`);
    sendScim(res, 201, project(resource, projection));
  });

  router.put('/Users/:id', (req, res) => {
    const projection = readProjection(paramsOf(req), USER_SCHEMAS);
    const current = find(req.params.id);
    const draft = readUserBody(req.body, 'replace', current, ctx);
    assertUnique(draft.userName, current);
    sendScim(
      res,
      200,
      project(represent(users.update(current, draft, traffic.scimContext(req, res)), req), projection),
    );
  });

  // 204 unless the client asks for the resource with `attributes` or `excludedAttributes` (RFC 7644 §3.5.2 allows both)
  router.patch('/Users/:id', async (req, res) => {
    const params = paramsOf(req);
    const projection = readProjection(params, USER_SCHEMAS);
    const updated = await withLock(req.params.id, async () => {
      // scimmy patches across an await: a PUT or DELETE may land meanwhile, so patch again on the newer version
      for (;;) {
        const current = find(req.params.id);
        const { [HEAP_SCHEMA]: _facts, ...resource } = represent(current, req);
        const patched = await applyPatchOp('User', resource, req.body);
        if (users.findById(current.id)?.version !== current.version) continue;
        const draft = readUserBody(patched, 'patch', current, ctx);
        assertUnique(draft.userName, current);
        return users.update(current, draft, traffic.scimContext(req, res));
      }
    });
    if (!projection) {
      res.status(204).end();
      return;
    }
    sendScim(res, 200, project(represent(updated, req), projection));
  });

  router.delete('/Users/:id', (req, res) => {
    users.remove(find(req.params.id), traffic.scimContext(req, res));
    res.status(204).end();
  });
}
