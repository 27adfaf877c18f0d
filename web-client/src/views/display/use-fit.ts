// Fitting a list into the projector's screen without a scrollbar. The box (overflow hidden,
// a fixed height from the page's grid) is measured with everything in it: first the type is
// made smaller step by step; when even the smallest readable size does not fit, only the
// items that fit are shown, and the caller says "nog N". Items are the box's descendants
// marked `data-fit-item`, in reading order, laid out row by row (so when one does not fit,
// none after it does).
import type { RefObject } from 'preact';
import { useLayoutEffect, useRef, useState } from 'preact/hooks';

export interface FitResult {
  /** The type scale chosen (1 = the largest). */
  scale: number;
  /** How many items are shown; null while measuring (everything is rendered then). */
  shown: number | null;
}

interface Options {
  /** The largest and smallest scale, and the step between tries. */
  max?: number;
  min?: number;
  step?: number;
}

function fits(box: HTMLElement): boolean {
  return box.scrollHeight <= box.clientHeight + 1 && box.scrollWidth <= box.clientWidth + 1;
}

/** How many items, from the first, lie wholly inside the box. */
function countInside(box: HTMLElement): number {
  const bottom = box.getBoundingClientRect().bottom + 0.5;
  const right = box.getBoundingClientRect().right + 0.5;
  const items = box.querySelectorAll<HTMLElement>('[data-fit-item]');
  let n = 0;
  for (const item of items) {
    const rect = item.getBoundingClientRect();
    if (rect.bottom > bottom || rect.right > right) break;
    n++;
  }
  return n;
}

/**
 * Keeps a number that grows whenever the element's size changes. The element may come and go
 * (an empty wall has no box), so every render checks which one to watch.
 */
function useSizeVersion(ref: RefObject<HTMLElement | null>): number {
  const [version, setVersion] = useState(0);
  const watched = useRef<{ el: HTMLElement; observer: ResizeObserver } | null>(null);
  useLayoutEffect(() => {
    const el = ref.current;
    if (watched.current?.el === el) return;
    watched.current?.observer.disconnect();
    watched.current = null;
    if (!el || typeof ResizeObserver === 'undefined') return;
    let last = `${el.clientWidth}x${el.clientHeight}`;
    const observer = new ResizeObserver(() => {
      const size = `${el.clientWidth}x${el.clientHeight}`;
      if (size !== last) {
        last = size;
        setVersion((v) => v + 1);
      }
    });
    observer.observe(el);
    watched.current = { el, observer };
  });
  useLayoutEffect(() => () => watched.current?.observer.disconnect(), []);
  return version;
}

/**
 * Fits `count` items into `ref`'s box. `signature` must change whenever what is shown
 * changes (texts, order, votes, the page): that starts a new measurement.
 */
export function useFit(ref: RefObject<HTMLElement | null>, count: number, signature: string, options: Options = {}): FitResult {
  const { max = 1, min = 0.55, step = 0.05 } = options;
  const size = useSizeVersion(ref);
  const key = `${size}|${count}|${signature}`;
  const [result, setResult] = useState<{ key: string; scale: number; shown: number }>({ key: '', scale: max, shown: count });
  const measuring = result.key !== key;

  useLayoutEffect(() => {
    if (!measuring) return;
    const box = ref.current;
    if (!box) return;
    let scale = max;
    box.style.setProperty('--fit', String(scale));
    while (!fits(box) && scale - step >= min - 1e-9) {
      scale = Math.round((scale - step) * 100) / 100;
      box.style.setProperty('--fit', String(scale));
    }
    // At least one item, even when it alone is too big (the card then clamps its text).
    const shown = fits(box) ? count : Math.max(Math.min(1, count), countInside(box));
    setResult({ key, scale, shown });
  });

  return { scale: result.scale, shown: measuring ? null : Math.min(result.shown, count) };
}
