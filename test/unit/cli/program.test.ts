import fs from 'node:fs';
import path from 'node:path';
import type { Command } from 'commander';
import { describe, expect, it } from 'vitest';
import { buildProgram } from '../../../src/cli/program.js';
import { ROOT } from '../../support/cli.js';

function allCommands(command: Command): Command[] {
  return [command, ...command.commands.flatMap(allCommands)];
}

const fullName = (c: Command): string => (c.parent ? `${fullName(c.parent)} ${c.name()}` : c.name());

describe('the command line', () => {
  const commands = allCommands(buildProgram());

  it('gives every command a description for --help', () => {
    const undescribed = commands.filter((c) => !c.description().trim()).map(fullName);
    expect(undescribed).toEqual([]);
    expect(commands.length).toBeGreaterThan(15);
  });

  it('points to nothing outside the repository in any help text', () => {
    for (const c of commands) {
      const help = c.helpInformation();
      expect(help, fullName(c)).not.toMatch(/DESIGN|ARCHITECTURE|§/);
      for (const file of help.match(/\b[\w./-]+\.md\b/g) ?? []) {
        expect(fs.existsSync(path.join(ROOT, file)), `${fullName(c)} names ${file}`).toBe(true);
      }
    }
  });

  it('says the version of package.json', () => {
    const { version } = JSON.parse(fs.readFileSync(path.join(ROOT, 'package.json'), 'utf8')) as { version: string };
    expect(buildProgram().version()).toBe(version);
  });
});
