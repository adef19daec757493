/** The attribute definitions of RFC 7643 that the stand-in serves; used to canonicalise input and for /Schemas. */

export const USER_SCHEMA = 'urn:ietf:params:scim:schemas:core:2.0:User';
export const GROUP_SCHEMA = 'urn:ietf:params:scim:schemas:core:2.0:Group';
export const ENTERPRISE_SCHEMA = 'urn:ietf:params:scim:schemas:extension:enterprise:2.0:User';
/** Heap facts the UI shows (asset ownership, last activity); read-only over SCIM. */
export const HEAP_SCHEMA = 'urn:heap-access-sync:scim:schemas:extension:heap:2.0:User';
export const LIST_SCHEMA = 'urn:ietf:params:scim:api:messages:2.0:ListResponse';
export const PATCH_SCHEMA = 'urn:ietf:params:scim:api:messages:2.0:PatchOp';

export type AttrType = 'string' | 'boolean' | 'complex' | 'dateTime' | 'reference' | 'integer' | 'binary';

export interface AttrDef {
  name: string;
  type: AttrType;
  multiValued: boolean;
  description: string;
  required: boolean;
  caseExact: boolean;
  mutability: 'readOnly' | 'readWrite' | 'immutable' | 'writeOnly';
  returned: 'always' | 'default' | 'never' | 'request';
  uniqueness: 'none' | 'server' | 'global';
  canonicalValues?: string[];
  referenceTypes?: string[];
  subAttributes?: AttrDef[];
}

type Options = Partial<Omit<AttrDef, 'name' | 'type' | 'description'>>;

const attr = (name: string, type: AttrType, description: string, options: Options = {}): AttrDef => ({
  name,
  type,
  multiValued: false,
  description,
  required: false,
  caseExact: false,
  mutability: 'readWrite',
  returned: 'default',
  uniqueness: 'none',
  ...options,
});

const str = (name: string, description: string, options: Options = {}) => attr(name, 'string', description, options);
const complex = (name: string, description: string, subAttributes: AttrDef[], options: Options = {}) =>
  attr(name, 'complex', description, { ...options, subAttributes });

/** value/display/type/primary: the shape of most multi-valued attributes. */
const plural = (
  name: string,
  description: string,
  types: string[],
  valueType: AttrType = 'string',
  options: Options = {},
) =>
  complex(
    name,
    description,
    [
      // RFC 7643 §7: a reference says what it refers to; photos are URLs of external resources
      attr(
        'value',
        valueType,
        `The value of ${name}.`,
        valueType === 'reference' ? { referenceTypes: ['external'] } : {},
      ),
      str('display', 'A human-readable name, primarily used for display purposes.'),
      str('type', 'A label indicating the function of the value.', types.length ? { canonicalValues: types } : {}),
      attr('primary', 'boolean', 'Indicates the primary or preferred value; at most one is true.'),
    ],
    { multiValued: true, ...options },
  );

export const USER_ATTRIBUTES: AttrDef[] = [
  str('userName', 'Unique identifier for the User, typically used by the user to directly authenticate.', {
    required: true,
    uniqueness: 'server',
  }),
  complex('name', "The components of the user's real name.", [
    str('formatted', 'The full name, formatted for display.'),
    str('familyName', 'The family name of the User.'),
    str('givenName', 'The given name of the User.'),
    str('middleName', 'The middle name(s) of the User.'),
    str('honorificPrefix', 'The honorific prefix(es) of the User.'),
    str('honorificSuffix', 'The honorific suffix(es) of the User.'),
  ]),
  str('displayName', 'The name of the User, suitable for display to end-users.'),
  str('nickName', 'The casual way to address the user in real life.'),
  attr('profileUrl', 'reference', "A fully qualified URL pointing to the User's online profile.", {
    referenceTypes: ['external'],
  }),
  str('title', "The user's title, such as 'Vice President'."),
  str('userType', 'Used to identify the relationship between the organization and the user.'),
  str('preferredLanguage', "Indicates the User's preferred written or spoken language."),
  str('locale', "Used to indicate the User's default location."),
  str('timezone', "The User's time zone in the 'Olson' time zone database format."),
  attr('active', 'boolean', "A Boolean value indicating the User's administrative status."),
  str('password', "The User's cleartext password; never returned.", { mutability: 'writeOnly', returned: 'never' }),
  plural('emails', 'Email addresses for the user.', ['work', 'home', 'other']),
  plural('phoneNumbers', 'Phone numbers for the User.', ['work', 'home', 'mobile', 'fax', 'pager', 'other']),
  plural('ims', 'Instant messaging addresses for the User.', []),
  plural('photos', 'URLs of photos of the User.', ['photo', 'thumbnail'], 'reference'),
  complex(
    'addresses',
    'A physical mailing address for this User.',
    [
      str('formatted', 'The full mailing address, formatted for display.'),
      str('streetAddress', 'The full street address component.'),
      str('locality', 'The city or locality component.'),
      str('region', 'The state or region component.'),
      str('postalCode', 'The zip code or postal code component.'),
      str('country', 'The country name component.'),
      str('type', 'A label indicating the function of the address.', { canonicalValues: ['work', 'home', 'other'] }),
      attr('primary', 'boolean', 'Indicates the primary address.'),
    ],
    { multiValued: true },
  ),
  complex(
    'groups',
    'A list of groups to which the user belongs.',
    [
      str('value', "The identifier of the User's group.", { mutability: 'readOnly' }),
      attr('$ref', 'reference', 'The URI of the corresponding Group resource.', {
        mutability: 'readOnly',
        referenceTypes: ['Group'],
      }),
      str('display', 'A human-readable name.', { mutability: 'readOnly' }),
      str('type', 'direct or indirect membership.', { mutability: 'readOnly', canonicalValues: ['direct'] }),
    ],
    { multiValued: true, mutability: 'readOnly' },
  ),
  plural('entitlements', 'A list of entitlements for the User.', []),
  plural('roles', "Heap access: org, project and module roles, e.g. 'project:web-prod:Member'.", []),
  plural('x509Certificates', 'A list of certificates issued to the User.', [], 'binary'),
];

export const ENTERPRISE_ATTRIBUTES: AttrDef[] = [
  str('employeeNumber', 'Numeric or alphanumeric identifier assigned to a person.'),
  str('costCenter', 'Identifies the name of a cost center.'),
  str('organization', 'Identifies the name of an organization.'),
  str('division', 'Identifies the name of a division.'),
  str('department', 'Identifies the name of a department.'),
  complex('manager', "The User's manager.", [
    str('value', "The id of the SCIM resource representing the User's manager."),
    attr('$ref', 'reference', 'The URI of the manager.', { referenceTypes: ['User'] }),
    str('displayName', "The displayName of the User's manager.", { mutability: 'readOnly' }),
  ]),
];

export const HEAP_ATTRIBUTES: AttrDef[] = [
  attr('ownedAssets', 'integer', 'Reports, dashboards and segments the teammate owns.', { mutability: 'readOnly' }),
  attr('lastActiveAt', 'dateTime', 'When the teammate last used Heap.', { mutability: 'readOnly' }),
];

export const GROUP_ATTRIBUTES: AttrDef[] = [
  str('displayName', 'A human-readable name for the Group (a Heap team).', { required: true, uniqueness: 'server' }),
  complex(
    'members',
    'A list of members of the Group.',
    [
      str('value', 'Identifier of the member of this Group.', { mutability: 'immutable' }),
      attr('$ref', 'reference', 'The URI of the member resource.', {
        mutability: 'immutable',
        referenceTypes: ['User'],
      }),
      str('display', 'A human-readable name of the member.', { mutability: 'readOnly' }),
      str('type', 'The type of the member.', { mutability: 'immutable', canonicalValues: ['User'] }),
    ],
    { multiValued: true },
  ),
];

export interface SchemaDef {
  id: string;
  name: string;
  description: string;
  attributes: AttrDef[];
}

export const SCHEMAS: SchemaDef[] = [
  { id: USER_SCHEMA, name: 'User', description: 'User Account', attributes: USER_ATTRIBUTES },
  { id: GROUP_SCHEMA, name: 'Group', description: 'Group', attributes: GROUP_ATTRIBUTES },
  { id: ENTERPRISE_SCHEMA, name: 'EnterpriseUser', description: 'Enterprise User', attributes: ENTERPRISE_ATTRIBUTES },
  { id: HEAP_SCHEMA, name: 'HeapTeammate', description: 'Heap teammate facts', attributes: HEAP_ATTRIBUTES },
];

/** The schemas one resource type carries: its core schema and its extensions. */
export interface ResourceSchemas {
  core: SchemaDef;
  extensions: SchemaDef[];
}

const schemaById = (id: string): SchemaDef => {
  const found = SCHEMAS.find((s) => s.id === id);
  if (!found) throw new Error(`unknown schema ${id}`);
  return found;
};

export const USER_SCHEMAS: ResourceSchemas = {
  core: schemaById(USER_SCHEMA),
  extensions: [schemaById(ENTERPRISE_SCHEMA), schemaById(HEAP_SCHEMA)],
};
export const GROUP_SCHEMAS: ResourceSchemas = { core: schemaById(GROUP_SCHEMA), extensions: [] };

export const findAttr = (defs: readonly AttrDef[] | undefined, name: string): AttrDef | undefined => {
  const lower = name.toLowerCase();
  return defs?.find((d) => d.name.toLowerCase() === lower);
};

/** The schema a (lower-cased or not) URN names among a resource type's schemas. */
export const findSchema = (schemas: ResourceSchemas, urn: string): SchemaDef | undefined => {
  const lower = urn.toLowerCase();
  return [schemas.core, ...schemas.extensions].find((s) => s.id.toLowerCase() === lower);
};
