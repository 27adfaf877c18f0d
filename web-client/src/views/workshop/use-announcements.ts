// What a screen reader hears, politely and only at milestones: a new phase, a new carousel
// stage (with whose turn it is), the last minute, 30 seconds left, time up, and the start
// and end of a silence; and post-its from others, counted in one batch ("3 new post-its"), not
// one message each. Never every second: the clock itself is a silent role="timer".
import { useEffect, useRef } from 'preact/hooks';
import { loc, t, tCount } from '../../i18n';
import type { CarouselView, Template } from '../../net/workshop-types';
import { carouselNow, currentPhase, findActivity } from '../../state/template';
import { remainingMs } from '../../ui/countdown';
import { announce } from '../../ui/live-region';
import { useSessionContext, useWorkshop } from '../../ui/session-context';
import { whoText } from './carousel-words';

const MILESTONES_MS = [60_000, 30_000];
/** Post-its from others that arrive within this time are said as one count. */
export const NEW_IDEAS_BATCH_MS = 3_000;

/** "Step 2 of 5: Ask questions. The helpers have the floor." */
export function stageMessage(template: Template, carousel: CarouselView): string | null {
  const now = carouselNow(template, carousel);
  if (!now.round || !now.stage) return null;
  return t('carousel.announce.stage', {
    n: now.stageIndex + 1,
    count: now.stageCount,
    stage: loc(now.stage.label),
    who: whoText(now.stage.who, now.round.owner_name),
  });
}

export function useWorkshopAnnouncements(): void {
  const { conn } = useSessionContext();
  useNewIdeasAnnouncement();
  const state = useWorkshop();
  const phase = currentPhase(state);

  // A new phase.
  const lastPhase = useRef(state.phase.index);
  useEffect(() => {
    if (lastPhase.current === state.phase.index) return;
    lastPhase.current = state.phase.index;
    if (phase) announce(t('phase.announce', { n: state.phase.index + 1, title: loc(phase.title) }));
  }, [state.phase.index]);

  // A new stage or round, or the round is over.
  const carousel = state.carousel;
  const stageKey = carousel
    ? `${carousel.current_round}:${carousel.stage_index}:${carousel.clock.status === 'done' ? 'done' : ''}`
    : '';
  const lastStage = useRef(stageKey);
  useEffect(() => {
    if (lastStage.current === stageKey) return;
    lastStage.current = stageKey;
    if (!carousel) return;
    if (carousel.clock.status === 'done') announce(t('carousel.announce.done'));
    else {
      const message = stageMessage(state.template, carousel);
      if (message) announce(message);
    }
  }, [stageKey]);

  // The last minute and the last 30 seconds, each once, only when the clock passes them.
  useEffect(() => {
    if (!carousel || carousel.clock.status !== 'running') return;
    const clock = carousel.clock;
    let previous = remainingMs(clock, conn.clock.serverNow()) ?? 0;
    const timer = setInterval(() => {
      const left = remainingMs(clock, conn.clock.serverNow()) ?? 0;
      for (const mark of MILESTONES_MS) {
        if (previous > mark && left <= mark && left > 0) {
          announce(mark === 60_000 ? t('clock.announce.minute') : t('clock.announce.seconds', { n: 30 }));
        }
      }
      previous = left;
    }, 250);
    return () => clearInterval(timer);
  }, [carousel?.seq, carousel?.clock.status]);

  // The silence of the guided visualisation.
  const visualisation = state.visualisation;
  const silence = visualisation ? `${visualisation.question_index}:${visualisation.silence.status}` : '';
  const lastSilence = useRef(silence);
  useEffect(() => {
    if (lastSilence.current === silence) return;
    lastSilence.current = silence;
    if (!visualisation) return;
    const activity = findActivity(state.template, visualisation.activity_id, 'guided_visualisation');
    const n = visualisation.question_index + 1;
    if (visualisation.silence.status === 'running') {
      announce(t('vis.announce.silence', { s: activity?.silence_seconds ?? 15 }));
    } else if (visualisation.silence.status === 'done') {
      announce(t('vis.announce.silenceOver'));
    } else {
      announce(t('vis.announce.question', { n, count: visualisation.question_count }));
    }
  }, [silence]);
}

/** New post-its from others on any board: one polite count per batch. */
function useNewIdeasAnnouncement(): void {
  const { welcome, outbox } = useSessionContext();
  const state = useWorkshop();
  const seen = useRef<Set<string> | null>(null);
  const pending = useRef(0);
  const timer = useRef<ReturnType<typeof setTimeout> | null>(null);
  useEffect(() => {
    // What was there when the page opened is not news.
    if (!seen.current) {
      seen.current = new Set(state.ideas.map((idea) => idea.id));
      return;
    }
    let fresh = 0;
    for (const idea of state.ideas) {
      if (seen.current.has(idea.id)) continue;
      seen.current.add(idea.id);
      const mine = idea.author_id === welcome.participant_id || outbox.isMine(idea.client_ref) || state.myIdeas.includes(idea.id);
      if (!mine) fresh += 1;
    }
    if (fresh === 0) return;
    pending.current += fresh;
    if (timer.current) return;
    timer.current = setTimeout(() => {
      timer.current = null;
      const n = pending.current;
      pending.current = 0;
      if (n > 0) announce(tCount('facil.newIdeas', n));
    }, NEW_IDEAS_BATCH_MS);
  }, [state.ideas]);
  useEffect(
    () => () => {
      if (timer.current) clearTimeout(timer.current);
    },
    [],
  );
}
