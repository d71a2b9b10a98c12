/** Public surface of src/certificates/node. */
export { nodeCrypto, nodeEd25519, nodeSignatureVerify } from './crypto.ts';
