/** Node.js adapter of the state map: the node:crypto SHA-256. */
export { nodeSha256 } from './sha256.ts';
