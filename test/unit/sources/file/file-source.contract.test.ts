import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { createFileSource } from '../../../../src/sources/file/read-file-directory.js';
import { runIdentitySourceContract } from '../../../contract/identity-source.contract.js';

runIdentitySourceContract('file', async () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'has-file-source-'));
  const file = path.join(dir, 'directory.json');
  return {
    source: createFileSource({ name: 'file', path: file }),
    seed: async (directory) => fs.writeFileSync(file, JSON.stringify(directory)),
    // a file cut short while being rewritten
    breakNextRead: async () => fs.writeFileSync(file, fs.readFileSync(file, 'utf8').slice(0, 60)),
    close: async () => fs.rmSync(dir, { recursive: true, force: true }),
  };
});
