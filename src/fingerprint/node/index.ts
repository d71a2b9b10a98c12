/** Public surface of src/fingerprint/node. */
export { fingerprintPath } from './fingerprint.ts';
export { hashFile } from './digest.ts';
export { DATASET_IO_ERROR_CODES, DatasetIoError } from './errors.ts';
export type { DatasetIoErrorCode } from './errors.ts';
export { ProgressReporter, formatBytes } from './progress.ts';
export { removePendingTempFiles, writeFileAtomic, writeManifest } from './write.ts';
