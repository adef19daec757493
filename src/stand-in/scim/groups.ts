import type { Request, Response, Router } from 'express';
import type { GroupRecord, GroupsStore } from '../groups-store.js';
import type { Traffic } from '../traffic.js';
import { GROUP_COLUMNS, toSqlWhere } from '../sql-filter.js';
import type { ChangeContext } from '../activity-log.js';
import { badRequest, notFound, ScimError } from './errors.js';
import { createKeyedMutex } from '../../http/scim/keyed-mutex.js';
import { parseMemberPatch } from '../../http/scim/member-patch.js';
import { applyPatchOp, filterResources } from './engine.js';
import type { JsonObject } from './json.js';
import { readGroupBody, toGroupResource } from './group-resource.js';
import { listResponse, paramsOf, readListParams, readProjection, type Params } from './list.js';
import { project, type Projection } from './projection.js';
import { baseUrlOf, sendScim } from './respond.js';
import { GROUP_SCHEMAS } from './schema-defs.js';

/** Members are left out when the client excludes them, so a team of 10,000 costs nothing to list by name. */
const wantsMembers = (projection: Projection | null) =>
  !projection ||
  (projection.mode === 'include'
    ? projection.paths.some((p) => p.attr.toLowerCase() === 'members')
    : !projection.paths.some((p) => p.attr.toLowerCase() === 'members' && !p.sub));

export function registerGroupRoutes(router: Router, deps: { groups: GroupsStore; traffic: Traffic }): void {
  const { groups, traffic } = deps;
  const represent = (group: GroupRecord, req: Request, members = true) =>
    toGroupResource(group, members ? groups.members(group.seq) : null, baseUrlOf(req));
  const find = (id: string): GroupRecord => {
    const group = groups.findById(id);
    if (!group) throw notFound(`Group ${id} not found`);
    return group;
  };
  const assertUnique = (displayName: string, self?: GroupRecord) => {
    const other = groups.findByName(displayName);
    if (other && other.seq !== self?.seq) {
      throw new ScimError(409, 'uniqueness', `a Group named "${displayName}" already exists`);
    }
  };
  const userSeq = (id: string) => groups.userSeq(id);
  const withLock = createKeyedMutex();

  /** The member-only PATCHes Okta and Entra send, applied without reading the Team's other members. */
  const changeMembers = (current: GroupRecord, body: unknown, ctx: ChangeContext): GroupRecord | null => {
    const change = parseMemberPatch(body);
    if (!change) return null;
    const seqOf = (id: string) => {
      const seq = userSeq(id);
      if (seq === undefined) throw badRequest('invalidValue', `member "${id}" is not a User of this service`);
      return seq;
    };
    const add = (change.add ?? []).map(seqOf);
    const remove = change.remove === 'all' ? 'all' : (change.remove ?? []).flatMap((id) => userSeq(id) ?? []);
    return groups.changeMembers(current, add, remove, ctx);
  };

  const list = (req: Request, res: Response, params: Params) => {
    const p = readListParams(params, GROUP_SCHEMAS, 'Group');
    const offset = p.startIndex - 1;
    const members = wantsMembers(p.projection);
    const where = p.filter ? toSqlWhere(p.filter, GROUP_COLUMNS) : null;
    let total: number;
    let resources: JsonObject[];
    if (!p.filter || where) {
      const page = groups.page(where, offset, p.count);
      total = page.total;
      resources = page.groups.map((g) => represent(g, req, members));
    } else {
      const matched = filterResources(
        p.filter,
        groups.all().map((g) => represent(g, req)),
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

  router.get('/Groups', (req, res) => list(req, res, paramsOf(req)));
  router.post('/Groups/.search', (req, res) => list(req, res, (req.body ?? {}) as Params));

  router.get('/Groups/:id', (req, res) => {
    const projection = readProjection(paramsOf(req), GROUP_SCHEMAS);
    sendScim(res, 200, project(represent(find(req.params.id), req, wantsMembers(projection)), projection));
  });

  router.post('/Groups', (req, res) => {
    const projection = readProjection(paramsOf(req), GROUP_SCHEMAS);
    const draft = readGroupBody(req.body, 'create', undefined, userSeq);
    assertUnique(draft.displayName);
    const created = groups.create(draft, traffic.scimContext(req, res));
    res.location(`${baseUrlOf(req)}/Groups/${created.id}`);
    sendScim(res, 201, project(represent(created, req), projection));
  });

  router.put('/Groups/:id', (req, res) => {
    const projection = readProjection(paramsOf(req), GROUP_SCHEMAS);
    const current = find(req.params.id);
    const draft = readGroupBody(req.body, 'replace', current, userSeq);
    assertUnique(draft.displayName, current);
    sendScim(
      res,
      200,
      project(represent(groups.update(current, draft, traffic.scimContext(req, res)), req), projection),
    );
  });

  router.patch('/Groups/:id', async (req, res) => {
    const projection = readProjection(paramsOf(req), GROUP_SCHEMAS);
    const ctx = traffic.scimContext(req, res);
    const updated = await withLock(req.params.id, async () => {
      const fast = changeMembers(find(req.params.id), req.body, ctx);
      if (fast) return fast;
      // scimmy patches across an await: a write that lands meanwhile makes it patch again on the newer version
      for (;;) {
        const current = find(req.params.id);
        const patched = await applyPatchOp('Group', represent(current, req), req.body);
        if (groups.findById(current.id)?.version !== current.version) continue;
        const draft = readGroupBody(patched, 'patch', current, userSeq);
        assertUnique(draft.displayName, current);
        return groups.update(current, draft, ctx);
      }
    });
    if (!projection) {
      res.status(204).end();
      return;
    }
    sendScim(res, 200, project(represent(updated, req), projection));
  });

  router.delete('/Groups/:id', (req, res) => {
    groups.remove(find(req.params.id), traffic.scimContext(req, res));
    res.status(204).end();
  });
}
