/** Public surface of src/ledger/node. */
export { nodeRfc6962 } from './hasher.ts';
export { CheckpointFile } from './checkpoint-file.ts';
export { nodeSignatureVerify } from './signature.ts';
