/** The witness's Node side: its data directory, key file (0600), node:crypto Ed25519 and the HTTP server runner. */
export { checkTrustedLog, initWitness, openWitness, witnessPaths } from './datadir.ts';
export { WITNESS_KEY_ERROR_CODES, WitnessKeyError, createWitnessKeyFile, formatWitnessKey, loadWitnessKeyFile, parseWitnessKey } from './keyfile.ts';
export type { WitnessKeyErrorCode } from './keyfile.ts';
export type { WitnessKey } from './keyfile.ts';
export { nodeEd25519Sign, nodeEd25519Verify, privateKeyFromSeed, publicKeyFromSeed } from './ed25519.ts';
export { startWitnessServer, WITNESS_HTTP_TIMEOUTS } from './serve.ts';
export type { RunningWitness, WitnessServerOptions, WitnessHttpTimeouts } from './serve.ts';
