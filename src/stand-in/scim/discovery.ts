import type { Request, Router } from 'express';
import { notFound } from './errors.js';
import { listResponse, MAX_COUNT } from './list.js';
import { baseUrlOf, sendScim } from './respond.js';
import { ENTERPRISE_SCHEMA, GROUP_SCHEMA, HEAP_SCHEMA, SCHEMAS, USER_SCHEMA, type AttrDef } from './schema-defs.js';
import type { JsonObject } from './json.js';

const SPC_SCHEMA = 'urn:ietf:params:scim:schemas:core:2.0:ServiceProviderConfig';
const RESOURCE_TYPE_SCHEMA = 'urn:ietf:params:scim:schemas:core:2.0:ResourceType';
const SCHEMA_SCHEMA = 'urn:ietf:params:scim:schemas:core:2.0:Schema';

function serviceProviderConfig(req: Request): JsonObject {
  return {
    schemas: [SPC_SCHEMA],
    patch: { supported: true },
    bulk: { supported: false, maxOperations: 0, maxPayloadSize: 0 },
    filter: { supported: true, maxResults: MAX_COUNT },
    changePassword: { supported: false },
    sort: { supported: false },
    etag: { supported: false },
    authenticationSchemes: [
      {
        type: 'oauthbearertoken',
        name: 'OAuth Bearer Token',
        description: 'Authentication scheme using the OAuth Bearer Token Standard',
        specUri: 'https://www.rfc-editor.org/info/rfc6750',
        primary: true,
      },
    ],
    meta: { resourceType: 'ServiceProviderConfig', location: `${baseUrlOf(req)}/ServiceProviderConfig` },
  };
}

const RESOURCE_TYPES = [
  {
    id: 'User',
    name: 'User',
    endpoint: '/Users',
    description: 'Heap teammate',
    schema: USER_SCHEMA,
    schemaExtensions: [
      { schema: ENTERPRISE_SCHEMA, required: false },
      { schema: HEAP_SCHEMA, required: false },
    ],
  },
  {
    id: 'Group',
    name: 'Group',
    endpoint: '/Groups',
    description: 'Heap team',
    schema: GROUP_SCHEMA,
    schemaExtensions: [],
  },
];

const resourceType = (t: (typeof RESOURCE_TYPES)[number], req: Request): JsonObject => ({
  schemas: [RESOURCE_TYPE_SCHEMA],
  ...t,
  meta: { resourceType: 'ResourceType', location: `${baseUrlOf(req)}/ResourceTypes/${t.id}` },
});

const attributeJson = (a: AttrDef): JsonObject => ({
  name: a.name,
  type: a.type,
  multiValued: a.multiValued,
  description: a.description,
  required: a.required,
  ...(a.type === 'string' || a.type === 'reference' ? { caseExact: a.caseExact } : {}),
  ...(a.canonicalValues && { canonicalValues: a.canonicalValues }),
  ...(a.referenceTypes && { referenceTypes: a.referenceTypes }),
  mutability: a.mutability,
  returned: a.returned,
  uniqueness: a.uniqueness,
  ...(a.subAttributes && { subAttributes: a.subAttributes.map(attributeJson) }),
});

const schemaJson = (s: (typeof SCHEMAS)[number], req: Request): JsonObject => ({
  schemas: [SCHEMA_SCHEMA],
  id: s.id,
  name: s.name,
  description: s.description,
  attributes: s.attributes.map(attributeJson),
  meta: { resourceType: 'Schema', location: `${baseUrlOf(req)}/Schemas/${s.id}` },
});

export function registerDiscoveryRoutes(router: Router): void {
  router.get('/ServiceProviderConfig', (req, res) => sendScim(res, 200, serviceProviderConfig(req)));
  router.get('/ResourceTypes', (req, res) => {
    const all = RESOURCE_TYPES.map((t) => resourceType(t, req));
    sendScim(res, 200, listResponse(all.length, 1, all));
  });
  router.get('/ResourceTypes/:id', (req, res) => {
    const t = RESOURCE_TYPES.find((r) => r.id === req.params.id);
    if (!t) throw notFound(`ResourceType ${req.params.id} not found`);
    sendScim(res, 200, resourceType(t, req));
  });
  router.get('/Schemas', (req, res) => {
    const all = SCHEMAS.map((s) => schemaJson(s, req));
    sendScim(res, 200, listResponse(all.length, 1, all));
  });
  router.get('/Schemas/:id', (req, res) => {
    const s = SCHEMAS.find((x) => x.id.toLowerCase() === req.params.id.toLowerCase());
    if (!s) throw notFound(`Schema ${req.params.id} not found`);
    sendScim(res, 200, schemaJson(s, req));
  });
}
