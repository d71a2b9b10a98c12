import { DataDeedError } from '../../errors.ts';

/**
 * Failure codes of fingerprinting on a file system (Node). Codes are API, never renamed.
 *
 * - `dataset_not_found` — the dataset path does not exist.
 * - `not_file_or_directory` — the dataset path is neither a regular file nor a directory.
 * - `read_failed` — a file or directory could not be read (permissions, I/O error, vanished).
 * - `file_changed` — a file's size changed between listing and hashing (the dataset is
 *   being written to; fingerprint a quiescent copy).
 * - `write_failed` — the manifest could not be written.
 * - `interrupted` — the run was cancelled (Ctrl-C); no manifest was written.
 * - `worker_failed` — a hashing thread died.
 */
export const DATASET_IO_ERROR_CODES = [
  'dataset_not_found',
  'not_file_or_directory',
  'read_failed',
  'file_changed',
  'write_failed',
  'interrupted',
  'worker_failed',
] as const;
export type DatasetIoErrorCode = (typeof DATASET_IO_ERROR_CODES)[number];

/** An I/O failure while fingerprinting; `path` names the dataset path concerned, if any. */
export class DatasetIoError extends DataDeedError<DatasetIoErrorCode> {
  readonly path: string | undefined;

  /**
   * @param code - the stable failure code.
   * @param message - a human-readable explanation (not part of the API); may quote the path.
   * @param path - the dataset path concerned, if any.
   */
  constructor(code: DatasetIoErrorCode, message: string, path?: string) {
    super(code, message);
    this.name = 'DatasetIoError';
    this.path = path;
  }
}
