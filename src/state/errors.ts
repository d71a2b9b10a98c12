import { DataDeedError } from '../errors.ts';

/**
 * The closed set of failure codes of the replayed state (src/state). Codes are API: never
 * renamed.
 * - `state_diverged` — a write is refused because the registry's tables and its log
 *   disagree: the log-derived state forbids the entry the write would append (a pledged
 *   certificate's transfer), or after the write the tables would not say what the log says
 *   (a holder or a pledge changed behind the registry's back). `datadeed audit` names the
 *   divergence.
 * - `replay_out_of_order` — entries were given to the replay out of index order (a caller
 *   error: the replay continues from the state's size).
 */
export const STATE_ERROR_CODES = ['state_diverged', 'replay_out_of_order'] as const;
export type StateErrorCode = (typeof STATE_ERROR_CODES)[number];

/** A failure of the replayed state. */
export class StateError extends DataDeedError<StateErrorCode> {
  /**
   * @param code - the stable failure code.
   * @param message - what disagrees (record and field; never private table values).
   */
  constructor(code: StateErrorCode, message: string) {
    super(code, message);
    this.name = 'StateError';
  }
}
