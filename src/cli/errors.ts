import { ConfigError, MappingError, BadRequestError, NotFoundError, formatIssue } from '../domain/errors.js';

/** Exit codes: 0 ok, 1 failure, 2 bad input, 3 drift found, 4 plan held, 5 changes pending (plan --fail-on-changes). */
export const EXIT = { ok: 0, failure: 1, badInput: 2, drift: 3, held: 4, changes: 5 } as const;

/** The CLI's one error boundary: prints a clear message (never a stack trace unless DEBUG) and picks the exit code. */
export function reportError(err: unknown): number {
  if (err instanceof MappingError) {
    for (const issue of err.issues) console.error(formatIssue(issue));
    console.error(`${err.issues.length} error(s); nothing was loaded`);
    return EXIT.badInput;
  }
  if (err instanceof ConfigError) {
    console.error(err.message);
    return EXIT.badInput;
  }
  if (err instanceof BadRequestError || err instanceof NotFoundError) {
    console.error(`error: ${err.message}`);
    return EXIT.badInput;
  }
  console.error(`error: ${err instanceof Error ? err.message : String(err)}`);
  if (process.env.DEBUG && err instanceof Error) console.error(err.stack);
  return EXIT.failure;
}
