/** Where a progress line may be drawn: stderr, or a test's stand-in for it. */
export interface TerminalStream {
  isTTY?: boolean;
  write(text: string): unknown;
}

export type Progress = (phase: string, p?: { done: number; total: number }) => void;

export interface Terminal {
  /** draws one transient status line; undefined when the stream is not a terminal (piped: quiet) */
  progress: Progress | undefined;
  /** clears the status line (call before the command's own output) */
  done(): void;
  /** a pino destination: each log line goes out whole, on a line of its own, and the status line is drawn again */
  logStream: { write(line: string): void };
}

const CLEAR_LINE = '\r\x1b[2K';

/**
 * Progress on a terminal and quiet when piped (DESIGN §6). Log lines share the stream, so a log line first clears
 * the status line and redraws it after: JSON log lines never interleave with progress.
 */
export function createTerminal(stream: TerminalStream = process.stderr): Terminal {
  let line = '';
  const clear = () => {
    if (line) stream.write(CLEAR_LINE);
  };
  return {
    progress: stream.isTTY
      ? (phase, p) => {
          const next = p ? `${phase} ${p.done}/${p.total}` : `${phase}…`;
          if (next === line) return;
          clear();
          line = next;
          stream.write(line);
        }
      : undefined,
    done() {
      clear();
      line = '';
    },
    logStream: {
      write(text) {
        clear();
        stream.write(text.endsWith('\n') ? text : `${text}\n`);
        if (line) stream.write(line);
      },
    },
  };
}
