// A box on the projector that its content always fits in (see use-fit.ts): the content
// renders the first `shown` of its `data-fit-item`s (all of them while measuring), and the
// line under the box says how many are not on the screen.
import type { ComponentChildren } from 'preact';
import { useRef } from 'preact/hooks';
import { t, useLang } from '../../i18n';
import { useFit } from './use-fit';

interface Props {
  count: number;
  signature: string;
  children: (shown: number) => ComponentChildren;
  class?: string;
  testId?: string;
  /** The largest scale: above 1 the type grows while there is room (a short list reads from the back). */
  max?: number;
}

export function FitBox({ count, signature, children, class: className, testId, max = 1.5 }: Props) {
  useLang();
  const box = useRef<HTMLDivElement>(null);
  const { scale, shown } = useFit(box, count, signature, { max });
  const notShown = shown === null ? 0 : count - shown;
  return (
    <>
      <div ref={box} class={`fit-box ${className ?? ''}`} style={{ '--fit': String(scale) }} data-testid={testId}>
        {children(shown ?? count)}
      </div>
      {notShown > 0 && (
        <p class="fit-more" data-testid="fit-more">
          {t('display.more', { n: notShown })}
        </p>
      )}
    </>
  );
}
