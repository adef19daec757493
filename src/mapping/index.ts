/** The mapping core: parse and validate mapping files, evaluate them over a directory, explain, lint, document. */
export { API_VERSION } from './schema.js';
export { parseMappingFiles, mappingVersion, type MappingFileText, type MappingParseResult } from './parse-mapping.js';
export { loadMappingDir } from './load-mapping-dir.js';
export { evaluateMapping } from './evaluate.js';
export { lintMapping } from './lint.js';
export { decideCandidates, type Decision } from './decide.js';
export {
  explainUser,
  type UserExplanation,
  type ExplainedEntitlement,
  type ExplainedCandidate,
  type ExplainedGroup,
  type ExplainedIdentity,
} from './explain.js';
export { renderExplanationText } from './render-explanation.js';
export { renderDocs, DOCS_FORMATS, type DocsFormat } from './docs/render-docs.js';
export type { DocsData, DocsOptions } from './docs/docs-data.js';
export { userKeyOf, matchValueOf } from './user-key.js';
export {
  isProductionEnvironment,
  isProductionProject,
  resolveSelector,
  resolveSelectorMap,
  adminRankOf,
} from './selectors.js';
export { grantsOf } from './compile.js';
export { closestMatch, didYouMean, editDistance } from './suggest.js';
