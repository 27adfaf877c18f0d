// The carousel as the server will have it at a given moment, if nobody touches it: at a stage's
// deadline the server moves to the next stage (or, with "next round automatically", to the
// next round that has not run; or stops). Every screen knows the deadline on the server's
// clock, so each can switch at that moment itself instead of when the server's event reaches
// it: the room's display and the remote participants' phones then change stage together, not
// one network delay apart. The server's event follows within milliseconds and replaces the
// projection (its `seq` is higher); if a facilitator paused at the last moment, that event
// puts things right.
//
// Mirrors `Carousel::tick` in server/src/engine/carousel.rs; keep the two in step.
import type { CarouselView, ClockView, RoundView } from '../net/workshop-types';

/** `view` as it will be at `serverNow`; the same object when nothing is due yet. */
export function projectCarousel(view: CarouselView, serverNow: number, autoNextRound: boolean): CarouselView {
  let clock: ClockView = view.clock;
  if (clock.status !== 'running' || clock.deadline > serverNow || view.stages.length === 0) return view;
  let stage = view.stage_index;
  let current = view.current_round;
  let rounds: RoundView[] = view.rounds;
  while (clock.status === 'running' && clock.deadline <= serverNow) {
    const deadline: number = clock.deadline;
    if (stage + 1 < view.stages.length) {
      stage += 1;
      clock = { status: 'running', deadline: deadline + (view.stages[stage]?.duration_ms ?? 0) };
      continue;
    }
    const next = autoNextRound ? rounds.findIndex((round) => !round.ran) : -1;
    if (next < 0) {
      clock = { status: 'done' };
      continue;
    }
    rounds = rounds.map((round, index) => (index === next ? { ...round, ran: true } : round));
    current = next;
    stage = 0;
    clock = { status: 'running', deadline: deadline + (view.stages[0]?.duration_ms ?? 0) };
  }
  // The same `seq`: the server's own view of this change, which carries a higher one, wins.
  return { ...view, stage_index: stage, current_round: current, rounds, clock };
}

/** When `view` next changes by itself, on the server's clock; null when it does not. */
export function nextChangeAt(view: CarouselView | null): number | null {
  return view && view.clock.status === 'running' && view.stages.length > 0 ? view.clock.deadline : null;
}
