export { createStandInApp, startStandIn, type StandInApp, type StandInOptions, type RunningStandIn } from './app.js';
export { parseFaults, type FaultKind, type FaultOptions, type TrafficStats } from './faults.js';
