import { createHash } from 'node:crypto';
import fs from 'node:fs/promises';
import { z } from 'zod';
import type { IdentitySource, SourceSnapshot } from '../../ports/identity-source.js';
import { SourceReadError } from '../../ports/identity-source.js';

/** DESIGN §6: `{ users: [{ id, userName, email, displayName, active }], groups: [{ id, displayName, members }] }` */
const directorySchema = z.object({
  users: z.array(
    z.object({
      id: z.string().min(1),
      userName: z.string().min(1),
      email: z.string().nullable().optional(),
      displayName: z.string().optional(),
      externalId: z.string().optional(),
      active: z.boolean().default(true),
    }),
  ),
  groups: z.array(z.object({ id: z.string().min(1), displayName: z.string().min(1), members: z.array(z.string()) })),
});

/** Parses a directory JSON document; every problem is named with its path. */
export function parseDirectory(text: string, sourceName: string, origin: string): SourceSnapshot {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (err) {
    throw new SourceReadError(sourceName, `${origin}: not valid JSON: ${(err as Error).message}`);
  }
  const parsed = directorySchema.safeParse(json);
  if (!parsed.success) {
    const problems = parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ');
    throw new SourceReadError(sourceName, `${origin}: ${problems}`);
  }
  const ids = new Set(parsed.data.users.map((u) => u.id));
  const dangling = parsed.data.groups.flatMap((g) => g.members.filter((m) => !ids.has(m)).map((m) => `${g.id}:${m}`));
  if (dangling.length) {
    throw new SourceReadError(
      sourceName,
      `${origin}: group members that are not users: ${dangling.slice(0, 5).join(', ')}`,
    );
  }
  return {
    users: parsed.data.users.map((u) => ({
      id: u.id,
      userName: u.userName,
      email: u.email ?? null,
      ...(u.displayName !== undefined && { displayName: u.displayName }),
      ...(u.externalId !== undefined && { externalId: u.externalId }),
      active: u.active,
      source: sourceName,
    })),
    groups: parsed.data.groups.map((g) => ({ ...g, source: sourceName })),
    version: createHash('sha256').update(text).digest('hex').slice(0, 16),
    requests: 0,
  };
}

/** A JSON snapshot of users and groups on disk, for trials and tests. */
export function createFileSource(options: { name?: string; path: string }): IdentitySource {
  const name = options.name ?? 'file';
  return {
    name,
    type: 'file',
    async read() {
      let text: string;
      try {
        text = await fs.readFile(options.path, 'utf8');
      } catch (err) {
        throw new SourceReadError(name, `cannot read ${options.path}: ${(err as Error).message}`, err);
      }
      return parseDirectory(text, name, options.path);
    },
  };
}
