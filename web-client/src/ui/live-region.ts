// One polite live region for the whole page. Screen readers read what lands in it when they
// are done speaking, so it suits milestones ("you are connected again", later: "two minutes
// left"), never every second of a timer.

let region: HTMLElement | null = null;
let timer: ReturnType<typeof setTimeout> | null = null;

function ensureRegion(): HTMLElement {
  if (region && region.isConnected) return region;
  region = document.createElement('div');
  region.id = 'live-region';
  region.className = 'sr-only';
  region.setAttribute('aria-live', 'polite');
  region.setAttribute('aria-atomic', 'true');
  document.body.appendChild(region);
  return region;
}

/** Says `message` politely. The same message twice in a row is said twice. */
export function announce(message: string): void {
  const el = ensureRegion();
  // Empty first, fill a moment later: a live region only speaks when its content changes.
  el.textContent = '';
  if (timer) clearTimeout(timer);
  timer = setTimeout(() => {
    el.textContent = message;
  }, 100);
}

/** Creates the region early: one that exists before its first message is read more reliably. */
export function initLiveRegion(): void {
  ensureRegion();
}
