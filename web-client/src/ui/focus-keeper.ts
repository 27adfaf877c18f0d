// Keeps keyboard focus off the page body. When the element that had focus disappears (a
// phase change removes the field someone was typing in, a button is swapped for another) or
// becomes disabled, focus moves to a sensible place near it instead of falling to <body>,
// where a keyboard or screen-reader user would have to start again at the top of the page.
//
// Where to: the nearest container of the lost element that is still on the page; inside it,
// an element marked `data-focus-home` (e.g. the new phase's heading), else its first control
// that can take focus, else its heading. Components that know better (a form that resets)
// move focus themselves; this is the net under them.
import { useEffect } from 'preact/hooks';

const TABBABLE = 'button, [href], input, select, textarea, summary, [tabindex]:not([tabindex="-1"])';

function usable(el: Element): el is HTMLElement {
  if (!(el instanceof HTMLElement) || !el.isConnected) return false;
  if ((el as HTMLButtonElement).disabled) return false;
  if (el.closest('[hidden], [inert]')) return false;
  // Inside a closed <details>, only its summary can take focus.
  const details = el.closest('details');
  if (details && !details.open && el.tagName !== 'SUMMARY' && !el.closest('summary')) return false;
  return el.getClientRects().length > 0;
}

function homeIn(container: HTMLElement): HTMLElement | null {
  for (const el of container.querySelectorAll('[data-focus-home]')) if (usable(el)) return el;
  for (const el of container.querySelectorAll(TABBABLE)) if (usable(el)) return el;
  const heading = container.querySelector<HTMLElement>('h1, h2, h3, h4');
  if (heading && heading.getClientRects().length > 0) {
    if (!heading.hasAttribute('tabindex')) heading.tabIndex = -1;
    return heading;
  }
  return null;
}

/** Watches focus for the page's lifetime; returns the function that stops it. */
export function keepFocusOffBody(root: HTMLElement = document.body): () => void {
  let last: HTMLElement | null = null;
  let containers: HTMLElement[] = [];
  let pending = false;

  const onFocusIn = (event: FocusEvent) => {
    const target = event.target;
    if (!(target instanceof HTMLElement)) return;
    last = target;
    containers = [];
    for (let el = target.parentElement; el; el = el.parentElement) containers.push(el);
  };

  // Focus left a control that is still fine (a click on plain text, another window): that was
  // on purpose, so nothing is to be rescued later.
  const onFocusOut = (event: FocusEvent) => {
    const target = event.target;
    setTimeout(() => {
      if (target === last && last && usable(last) && document.activeElement !== last) last = null;
    }, 0);
  };

  const rescue = () => {
    pending = false;
    if (!last) return;
    const active = document.activeElement;
    if (active && active !== document.body) return;
    // Focus left on purpose (a click on plain text): the element is still fine, leave it.
    if (usable(last)) return;
    for (const container of containers) {
      if (!container.isConnected || container === document.body || container === document.documentElement) continue;
      const home = homeIn(container);
      if (home) {
        home.focus();
        return;
      }
    }
    const title = document.querySelector<HTMLElement>('h1[tabindex]');
    title?.focus();
  };

  // After the DOM changed (an element removed, `disabled` set), once the render is done.
  const observer = new MutationObserver(() => {
    if (pending) return;
    pending = true;
    queueMicrotask(rescue);
  });
  observer.observe(root, { childList: true, subtree: true, attributes: true, attributeFilter: ['disabled', 'hidden', 'open'] });
  document.addEventListener('focusin', onFocusIn);
  document.addEventListener('focusout', onFocusOut);
  return () => {
    document.removeEventListener('focusout', onFocusOut);
    observer.disconnect();
    document.removeEventListener('focusin', onFocusIn);
  };
}

export function useFocusKeeper(): void {
  useEffect(() => keepFocusOffBody(), []);
}
