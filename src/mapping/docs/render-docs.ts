import type { MappingSet } from '../../domain/mapping.js';
import { buildDocsData, type DocsOptions } from './docs-data.js';
import { renderCsv } from './render-csv.js';
import { renderHtml } from './render-html.js';
import { renderMarkdown } from './render-markdown.js';

export type DocsFormat = 'md' | 'html' | 'csv' | 'json';
export const DOCS_FORMATS: readonly DocsFormat[] = ['md', 'html', 'csv', 'json'];

/**
 * The mapping as documentation for auditors (DESIGN §6): model, projects, what each group grants, a project x
 * group matrix, module grants, policy and guards; with `withMembers` the effective access of every user.
 * `generatedAt` is passed in so that the same inputs render the same bytes.
 */
export function renderDocs(mapping: MappingSet, format: DocsFormat, options: DocsOptions): string {
  const data = buildDocsData(mapping, options);
  switch (format) {
    case 'md':
      return renderMarkdown(data);
    case 'html':
      return renderHtml(data);
    case 'csv':
      return renderCsv(data);
    case 'json':
      return `${JSON.stringify(data, null, 2)}\n`;
  }
}
