// Linux: the long loops of mm (mm/gup.c:__get_user_pages, mm/memory.c:zap and copy
// loops) call cond_resched() and give up on fatal_signal_pending(): a task being
// killed does not finish populating a terabyte first. The model's long loops call
// Checkpoint.tick() the same way; every CHECK_EVERY ticks it asks its hook (the
// runner's deadline), which throws to abandon the scenario. No hook: a counter only,
// and the model stays a pure function of the scenario.
const CHECK_EVERY = 4096;

export class Checkpoint {
  private n = 0;
  /** Called every CHECK_EVERY ticks; throws to stop the model (a deadline past). */
  hook: (() => void) | null = null;

  tick(): void {
    if (++this.n < CHECK_EVERY) return;
    this.n = 0;
    this.hook?.();
  }
}
