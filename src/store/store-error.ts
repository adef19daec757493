/** A store refused a write because the data would break its invariants, or its schema could not be set up. */
export class StoreError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'StoreError';
  }
}
