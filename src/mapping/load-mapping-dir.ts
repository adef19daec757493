import fs from 'node:fs/promises';
import path from 'node:path';
import { MappingError } from '../domain/errors.js';
import { type MappingParseResult, parseMappingFiles } from './parse-mapping.js';

/**
 * Reads every `*.yaml` / `*.yml` directly in `dir` (not sub-folders) and parses them together. File names in
 * issues are relative to the working directory when the folder is inside it, as a user would type them.
 */
export async function loadMappingDir(dir: string): Promise<MappingParseResult> {
  const shown = displayPath(dir);
  let entries: string[];
  try {
    entries = (await fs.readdir(dir, { withFileTypes: true }))
      .filter((e) => e.isFile() && /\.ya?ml$/i.test(e.name))
      .map((e) => e.name)
      .sort();
  } catch (err) {
    throw folderError(shown, `cannot read the mappings folder: ${(err as NodeJS.ErrnoException).code ?? String(err)}`);
  }
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
