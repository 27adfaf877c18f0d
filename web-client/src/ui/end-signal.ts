// The soft signal at the end of a carousel stage or a silence: when it fires (a pure
// comparison of two workshop states, on the server-driven clock's views), and the beep
// (WebAudio, made on the spot: no sound file to download).
import type { WorkshopState } from '../state/workshop-reducer';

/** What the signal watches: where the carousel is, and how the silence stands. */
export interface Moment {
  round: string | null;
  stage: number;
  carouselDone: boolean;
  silence: string | null;
}

export function momentOf(state: Pick<WorkshopState, 'carousel' | 'visualisation'>): Moment {
  const carousel = state.carousel;
  const round = carousel && carousel.current_round !== null ? (carousel.rounds[carousel.current_round]?.id ?? null) : null;
  return {
    round,
    stage: carousel?.stage_index ?? 0,
    carouselDone: carousel?.clock.status === 'done',
    silence: state.visualisation ? `${state.visualisation.question_index}:${state.visualisation.silence.status}` : null,
  };
}

/**
 * Whether something ended between two moments: a running round's stage moved on (by its
 * deadline or the facilitator's "next"), the round's last stage ended, or a silence ran out.
 * Starting, going back, pausing and restarting a stage are not an end.
 */
export function endedBetween(before: Moment, after: Moment): boolean {
  const stageEnded =
    before.round !== null &&
    !before.carouselDone &&
    (after.carouselDone || after.round !== before.round || after.stage > before.stage);
  const silenceEnded = before.silence?.endsWith(':running') === true && after.silence?.endsWith(':done') === true;
  return stageEnded || silenceEnded;
}

let audio: AudioContext | null = null;

/** Makes (or wakes) the audio context; call it from a click, as browsers require. */
export function unlockAudio(): AudioContext | null {
  const Ctor = typeof window !== 'undefined' ? (window.AudioContext ?? (window as unknown as { webkitAudioContext?: typeof AudioContext }).webkitAudioContext) : undefined;
  if (!Ctor) return null;
  audio ??= new Ctor();
  if (audio.state === 'suspended') void audio.resume().catch(() => undefined);
  return audio;
}

/** Two soft tones going down, about half a second. Returns whether it could play. */
export function beep(): boolean {
  const ctx = unlockAudio();
  if (!ctx) return false;
  const start = ctx.currentTime + 0.02;
  [660, 523].forEach((frequency, i) => {
    const osc = ctx.createOscillator();
    const gain = ctx.createGain();
    osc.type = 'sine';
    osc.frequency.value = frequency;
    const at = start + i * 0.22;
    // A soft attack and release, so it does not click.
    gain.gain.setValueAtTime(0, at);
    gain.gain.linearRampToValueAtTime(0.15, at + 0.03);
    gain.gain.exponentialRampToValueAtTime(0.001, at + 0.2);
    osc.connect(gain).connect(ctx.destination);
    osc.start(at);
    osc.stop(at + 0.22);
  });
  return true;
}
