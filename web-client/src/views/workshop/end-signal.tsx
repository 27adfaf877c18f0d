// The soft signal at the end of a stage or a silence: a flash around the screen (a still
// highlight for who prefers less motion) and, only when turned on here, a short beep.
// On a phone the participant turns the sound on; on the projector it is off until the
// facilitator ticks the box on that screen (`place="display"`). The choice is kept per device.
//
// For tests: `data-signals` counts the signals, `data-beeps` the beeps played.
import { useEffect, useId, useRef, useState } from 'preact/hooks';
import { t, useLang } from '../../i18n';
import { beep, endedBetween, momentOf, unlockAudio } from '../../ui/end-signal';
import { useWorkshop } from '../../ui/session-context';

const FLASH_MS = 2_400;

function soundKey(place: 'phone' | 'display'): string {
  return `werkplaats.signalSound.${place}`;
}

function storedSound(place: 'phone' | 'display'): boolean {
  try {
    return localStorage.getItem(soundKey(place)) === 'on';
  } catch {
    return false;
  }
}

export function EndSignal({ place = 'phone' }: { place?: 'phone' | 'display' }) {
  useLang();
  const state = useWorkshop();
  const id = useId();
  const [sound, setSound] = useState(() => storedSound(place));
  const [signals, setSignals] = useState(0);
  const [beeps, setBeeps] = useState(0);
  const [flashing, setFlashing] = useState(false);
  const moment = momentOf(state);
  const last = useRef(moment);
  const soundOn = useRef(sound);
  const flashTimer = useRef<ReturnType<typeof setTimeout> | null>(null);
  soundOn.current = sound;

  useEffect(() => {
    const before = last.current;
    last.current = moment;
    if (!endedBetween(before, moment)) return;
    setSignals((n) => n + 1);
    setFlashing(true);
    if (soundOn.current && beep()) setBeeps((n) => n + 1);
    if (flashTimer.current !== null) clearTimeout(flashTimer.current);
    flashTimer.current = setTimeout(() => {
      flashTimer.current = null;
      setFlashing(false);
    }, FLASH_MS);
  }, [moment.round, moment.stage, moment.carouselDone, moment.silence]);
  useEffect(
    () => () => {
      if (flashTimer.current !== null) clearTimeout(flashTimer.current);
    },
    [],
  );

  // A stored "on" needs one touch on this page before the browser lets it sound.
  useEffect(() => {
    if (!sound) return;
    const wake = () => unlockAudio();
    window.addEventListener('pointerdown', wake, { once: true });
    window.addEventListener('keydown', wake, { once: true });
    return () => {
      window.removeEventListener('pointerdown', wake);
      window.removeEventListener('keydown', wake);
    };
  }, [sound]);

  function toggle(on: boolean) {
    setSound(on);
    try {
      localStorage.setItem(soundKey(place), on ? 'on' : 'off');
    } catch {
      // Private mode: it holds for this page.
    }
    // The click itself unlocks the audio, and the beep lets you hear what it sounds like.
    if (on && beep()) setBeeps((n) => n + 1);
  }

  return (
    <div class={`end-signal end-signal--${place}`} data-testid="end-signal" data-signals={signals} data-beeps={beeps} data-flashing={flashing ? 'true' : 'false'}>
      <div class={`end-signal__flash${flashing ? ' end-signal__flash--on' : ''}`} aria-hidden="true" />
      <span class="check check--small">
        <input id={`${id}-sound`} type="checkbox" class="check__box" checked={sound} onChange={(e) => toggle(e.currentTarget.checked)} data-testid="signal-sound" />
        <label for={`${id}-sound`} class="check__label">
          {place === 'display' ? t('signal.soundRoom') : t('signal.sound')}
        </label>
      </span>
    </div>
  );
}
