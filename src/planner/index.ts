export { applyChanges } from './apply.js';
export { nextBaseline } from './baseline.js';
export { classifyDifference } from './classify.js';
export type { PlanInput } from './input.js';
export { InverseMapping } from './inverse.js';
export { planChanges } from './plan.js';
export {
  describeFacts,
  describeReason,
  describeReasons,
  describeSuggestions,
  planToJson,
  renderPlanText,
} from './render.js';
