/** One problem in a mapping or config file, reported as `file:line path: message`. */
export interface Issue {
  file: string;
  line: number;
  /** dotted path inside the document, e.g. `rules[1].projects.web-prd` */
  path: string;
  message: string;
  severity: 'error' | 'warning';
}

export const formatIssue = (i: Issue): string => `${i.file}:${i.line} ${i.path ? `${i.path}: ` : ''}${i.message}`;

/** Bad mapping input: every problem at once. Nothing is loaded. */
export class MappingError extends Error {
  constructor(readonly issues: Issue[]) {
    super(`mapping has ${issues.length} error(s):\n${issues.map(formatIssue).join('\n')}`);
    this.name = 'MappingError';
  }
}

/** Bad configuration: every problem at once, at start-up. */
export class ConfigError extends Error {
  constructor(readonly problems: string[]) {
    super(`configuration has ${problems.length} problem(s):\n${problems.map((p) => `  - ${p}`).join('\n')}`);
    this.name = 'ConfigError';
  }
}

/** A request a client got wrong (admin API, CLI arguments): 4xx, never 500. */
export class BadRequestError extends Error {
  constructor(
    message: string,
    readonly details?: unknown,
  ) {
    super(message);
    this.name = 'BadRequestError';
  }
}

/** A request that is well formed but the caller may not make: approving one's own grant (403). */
export class NotPermittedError extends BadRequestError {
  constructor(message: string) {
    super(message);
    this.name = 'NotPermittedError';
  }
}

export class NotFoundError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'NotFoundError';
  }
}

/** Another run holds the target's lock. */
export class RunInProgressError extends Error {
  constructor(message = 'another sync run is in progress') {
    super(message);
    this.name = 'RunInProgressError';
  }
}

/** A vendor call failed (Okta, Graph, Heap). */
export class UpstreamError extends Error {
  constructor(
    readonly vendor: string,
    message: string,
    readonly status?: number,
    readonly retryable = false,
    override readonly cause?: unknown,
  ) {
    super(`${vendor}: ${message}`);
    this.name = 'UpstreamError';
  }
}
