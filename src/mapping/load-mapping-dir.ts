import fs from 'node:fs/promises';
import path from 'node:path';
import { type Issue, MappingError } from '../domain/errors.js';
import { type MappingParseResult, parseMappingFiles } from './parse-mapping.js';

/**
 * Reads every `*.yaml` / `*.yml` directly in `dir` (not sub-folders) and parses them together. A symbolic link
 * is read like the file it points to (ConfigMaps and shared mapping repositories mount files as links); a link
 * that points nowhere is an error naming it, never a file silently skipped. File names in issues are relative
 * to the working directory when the folder is inside it, as a user would type them.
 */
export async function loadMappingDir(dir: string): Promise<MappingParseResult> {
  const shown = displayPath(dir);
  let entries: string[];
  const broken: Issue[] = [];
  try {
    const listed = (await fs.readdir(dir, { withFileTypes: true })).filter((e) => /\.ya?ml$/i.test(e.name));
    const kept = await Promise.all(
      listed.map(async (e) => {
        if (e.isFile()) return e.name;
        if (!e.isSymbolicLink()) return null;
        const full = path.join(dir, e.name);
        try {
          return (await fs.stat(full)).isFile() ? e.name : null;
        } catch (err) {
          const target = await fs.readlink(full).catch(() => '?');
          const code = (err as NodeJS.ErrnoException).code ?? String(err);
          const message = `broken symbolic link to ${target} (${code}): the mapping it should hold cannot be read`;
          broken.push({ file: displayPath(full), line: 1, path: '', message, severity: 'error' });
          return null;
        }
      }),
    );
    entries = kept.filter((n): n is string => n !== null).sort();
  } catch (err) {
    throw folderError(shown, `cannot read the mappings folder: ${(err as NodeJS.ErrnoException).code ?? String(err)}`);
  }
  if (broken.length) throw new MappingError(broken.sort((a, b) => (a.file < b.file ? -1 : 1)));
  if (!entries.length) throw folderError(shown, 'no mapping files (*.yaml or *.yml) in the mappings folder');
  const files = await Promise.all(
    entries.map(async (name) => {
      const full = path.join(dir, name);
      return { file: displayPath(full), text: await fs.readFile(full, 'utf8') };
    }),
  );
  return parseMappingFiles(files);
}

function displayPath(p: string): string {
  const abs = path.resolve(p);
  const rel = path.relative(process.cwd(), abs);
  return rel && !rel.startsWith('..') && !path.isAbsolute(rel) ? rel.split(path.sep).join('/') : abs;
}

const folderError = (file: string, message: string): MappingError =>
  new MappingError([{ file, line: 1, path: '', message, severity: 'error' }]);
