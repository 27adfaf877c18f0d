// The boards of a session: each carousel round is one, and each phase with post-its outside
// the carousel. The server says which board is current (`state.board`) and stamps every
// post-it with its board, so the client only filters and names them.
import { loc, t } from '../i18n';
import type { IdeaView } from '../net/workshop-types';
import type { WorkshopState } from './workshop-reducer';

export interface BoardRef {
  id: string;
  label: string;
}

export function phaseBoard(phaseId: string): string {
  return `phase:${phaseId}`;
}

export function roundBoard(roundId: string): string {
  return `round:${roundId}`;
}

export function ideasOn(state: WorkshopState, board: string): IdeaView[] {
  return state.ideas.filter((idea) => idea.board === board);
}

/** A board's name for people: the phase's title, or "Ronde 2: topic". */
export function boardLabel(state: WorkshopState, board: string): string {
  const rounds = state.carousel?.rounds ?? [];
  const index = rounds.findIndex((round) => roundBoard(round.id) === board);
  const round = rounds[index];
  if (round) return `${t('carousel.round', { n: index + 1 })}: ${round.topic}`;
  const phase = state.template.phases.find((p) => phaseBoard(p.id) === board);
  return phase ? loc(phase.title) : board;
}

/**
 * Every board worth looking back at, in workshop order: each phase's board (with the
 * carousel's rounds after its phase's own board), when it has post-its or is current.
 */
export function knownBoards(state: WorkshopState): BoardRef[] {
  const used = new Set(state.ideas.map((idea) => idea.board));
  used.add(state.board);
  const order: string[] = [];
  for (const phase of state.template.phases) {
    order.push(phaseBoard(phase.id));
    if (state.carousel && phase.activities.some((a) => a.id === state.carousel?.activity_id)) {
      for (const round of state.carousel.rounds) order.push(roundBoard(round.id));
    }
  }
  const known = order.filter((id) => used.has(id));
  for (const id of used) if (!known.includes(id)) known.push(id);
  return known.map((id) => ({ id, label: boardLabel(state, id) }));
}
