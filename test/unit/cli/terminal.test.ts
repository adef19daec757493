import { describe, expect, it } from 'vitest';
import { createTerminal } from '../../../src/cli/terminal.js';

/** A terminal's screen as the stream sees it: every write, in order. */
function screen(isTTY: boolean) {
  const writes: string[] = [];
  return { stream: { isTTY, write: (text: string) => writes.push(text) }, writes, text: () => writes.join('') };
}

const CLEAR_LINE = '\r\x1b[2K';

/** What a person sees: carriage return + erase-line wipes the current line. */
function rendered(text: string): string[] {
  const lines: string[] = [];
  let current = '';
  for (let i = 0; i < text.length; i++) {
    if (text.startsWith(CLEAR_LINE, i)) {
      current = '';
      i += CLEAR_LINE.length - 1;
      continue;
    }
    const ch = text[i]!;
    if (ch === '\n') {
      lines.push(current);
      current = '';
    } else current += ch;
  }
  if (current) lines.push(current);
  return lines;
}

describe('terminal progress', () => {
  it('is quiet when piped', () => {
    const s = screen(false);
    const t = createTerminal(s.stream);
    expect(t.progress).toBeUndefined();
    t.logStream.write('{"level":40,"msg":"slow"}\n');
    t.done();
    expect(s.text()).toBe('{"level":40,"msg":"slow"}\n');
  });

  it('draws one status line that the next phase replaces and done() clears', () => {
    const s = screen(true);
    const t = createTerminal(s.stream);
    t.progress!('reading sources');
    t.progress!('applying', { done: 1, total: 3 });
    t.progress!('applying', { done: 3, total: 3 });
    t.done();
    expect(rendered(s.text())).toEqual([]);
    expect(s.writes).toContain('reading sources…');
    expect(s.writes).toContain('applying 3/3');
  });

  it('never lets a log line start in the middle of the progress line, and draws the progress again after it', () => {
    const s = screen(true);
    const t = createTerminal(s.stream);
    t.progress!('reading Heap');
    t.logStream.write('{"level":40,"msg":"retrying"}\n');
    t.logStream.write('{"level":50,"msg":"gave up"}');
    expect(rendered(s.text())).toEqual([
      '{"level":40,"msg":"retrying"}',
      '{"level":50,"msg":"gave up"}',
      'reading Heap…',
    ]);
    t.done();
    expect(rendered(s.text())).toEqual(['{"level":40,"msg":"retrying"}', '{"level":50,"msg":"gave up"}']);
  });
});
