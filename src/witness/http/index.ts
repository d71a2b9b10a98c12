/** The witness's HTTP service (hono): C2SP tlog-witness add-checkpoint, the monitoring endpoint, evidence for investigators. */
export { createWitnessApp } from './app.ts';
export type { WitnessAppOptions, WitnessIdentity } from './app.ts';
