// "Ik ben klaar": how many participants said they are done with the current stage or
// assignment. The server keeps who (and empties it when the stage, round or phase changes);
// the count is against the participants who are here or said "klaar" (a phone that went to
// sleep after saying it still counts).
import type { ParticipantView } from '../net/workshop-types';
import type { WorkshopState } from './workshop-reducer';

export interface ReadyCount {
  ready: number;
  of: number;
}

export function readyCount(state: Pick<WorkshopState, 'participants' | 'ready'>): ReadyCount {
  const ready = new Set(state.ready);
  const counted = state.participants.filter(
    (p: ParticipantView) => p.role === 'participant' && (p.online || ready.has(p.id)),
  );
  return { ready: counted.filter((p) => ready.has(p.id)).length, of: counted.length };
}

export function isReady(state: Pick<WorkshopState, 'ready'>, participantId: string): boolean {
  return state.ready.includes(participantId);
}
