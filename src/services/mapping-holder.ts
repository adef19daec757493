import fs from 'node:fs';
import type { Logger } from 'pino';
import { MappingError, type Issue } from '../domain/errors.js';
import type { MappingSet } from '../domain/mapping.js';
import { loadMappingDir } from '../mapping/load-mapping-dir.js';

export interface MappingStatus {
  version: string;
  loadedAt: string;
  warnings: Issue[];
  /** the last reload failed: the service keeps running on the last good mapping */
  reloadError: { at: string; issues: Issue[]; message: string } | null;
}

/**
 * Holds the last good mapping. A reload that fails keeps the previous mapping and records why, so the dashboard
 * and alerts can say so; it never leaves the service without a mapping.
 */
export async function createMappingHolder(dir: string, options: { logger: Logger; now: () => Date }) {
  const first = await loadMappingDir(dir);
  let current = first.mapping;
  let status: MappingStatus = {
    version: current.version,
    loadedAt: options.now().toISOString(),
    warnings: first.warnings,
    reloadError: null,
  };
  let watcher: fs.FSWatcher | null = null;
  let timer: NodeJS.Timeout | null = null;
  const listeners: ((s: MappingStatus) => void)[] = [];

  async function reload(): Promise<MappingStatus> {
    try {
      const next = await loadMappingDir(dir);
      const changed = next.mapping.version !== current.version;
      current = next.mapping;
      status = {
        version: current.version,
        loadedAt: options.now().toISOString(),
        warnings: next.warnings,
        reloadError: null,
      };
      if (changed) options.logger.info({ version: current.version }, 'mapping reloaded');
    } catch (err) {
      const issues = err instanceof MappingError ? err.issues : [];
      const message = err instanceof Error ? err.message : String(err);
      status = { ...status, reloadError: { at: options.now().toISOString(), issues, message } };
      options.logger.error(
        { errors: issues.length, version: current.version },
        'mapping reload failed; keeping last good mapping',
      );
    }
    for (const l of listeners) l(status);
    return status;
  }

  return {
    current: (): MappingSet => current,
    status: (): MappingStatus => status,
    reload,
    onReload(listener: (s: MappingStatus) => void) {
      listeners.push(listener);
    },
    /** reload when files in the folder change (debounced: editors write in several steps) */
    watch(debounceMs = 300) {
      if (watcher) return;
      watcher = fs.watch(dir, () => {
        if (timer) clearTimeout(timer);
        timer = setTimeout(() => void reload(), debounceMs);
      });
    },
    close() {
      watcher?.close();
      watcher = null;
      if (timer) clearTimeout(timer);
    },
  };
}

export type MappingHolder = Awaited<ReturnType<typeof createMappingHolder>>;
