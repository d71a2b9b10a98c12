/** The registry's clock: injected wherever time matters (tests pass a clock they move). */
export interface Clock {
  now(): Date;
}

/** The system clock. */
export const systemClock: Clock = { now: () => new Date() };
