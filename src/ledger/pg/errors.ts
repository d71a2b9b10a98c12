import { DataDeedError } from '../../errors.ts';

/**
 * Failure codes of the sequencer (API: never renamed).
 * - `sequencer_stopped` — the sequencer was closed (the process is shutting down); retry elsewhere.
 * - `sequencer_fatal` — an invariant was violated (the stored tree was rolled back or forked
 *   behind the log's back, its state is corrupt, the clock went back; the cause says which);
 *   the sequencer and the publisher accept no writes and sign nothing until restarted.
 */
export const SEQUENCER_ERROR_CODES = ['sequencer_stopped', 'sequencer_fatal', 'queue_full'] as const;
export type SequencerErrorCode = (typeof SEQUENCER_ERROR_CODES)[number];

/** Why the log did not accept an append. Its message may name internal state: log it, never serve it. */
export class SequencerError extends DataDeedError<SequencerErrorCode> {
  /**
   * @param code - the stable failure code.
   * @param message - a fixed explanation for the operator's log.
   * @param options - the invariant violation that stopped the log, for the operator's log.
   */
  constructor(code: SequencerErrorCode, message: string, options?: { cause?: unknown }) {
    super(code, message, [], options);
    this.name = 'SequencerError';
  }
}
