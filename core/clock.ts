/**
 * Time for everything that issues, expires or schedules. Nothing in mdmca reads Date.now() directly,
 * so a suite can expire a licence, a challenge or a certificate by moving a clock instead of waiting.
 */
export interface Clock {
  now(): Date;
}

export const systemClock: Clock = { now: () => new Date() };

/** A clock that follows a base clock plus an offset; the admin surfaces move it. */
export class AdjustableClock implements Clock {
  private offsetMs = 0;
  constructor(private readonly base: Clock = systemClock) {}

  now(): Date {
    return new Date(this.base.now().getTime() + this.offsetMs);
  }

  /** Moves the clock forward (or back, with a negative value) by `ms` milliseconds. */
  advance(ms: number): void {
    this.offsetMs += ms;
  }

  /** Sets the clock to an absolute time; later reads advance with the base clock from there. */
  set(to: Date): void {
    this.offsetMs = to.getTime() - this.base.now().getTime();
  }

  reset(): void {
    this.offsetMs = 0;
  }

  get offset(): number {
    return this.offsetMs;
  }
}

/** A clock that stands still until told to move: for deterministic unit tests. */
export class FixedClock implements Clock {
  constructor(private current: Date) {}
  now(): Date {
    return new Date(this.current.getTime());
  }
  advance(ms: number): void {
    this.current = new Date(this.current.getTime() + ms);
  }
  set(to: Date): void {
    this.current = new Date(to.getTime());
  }
}
