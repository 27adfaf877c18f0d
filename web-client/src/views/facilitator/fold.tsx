// A secondary panel of the facilitator's page that folds away (share, people, settings,
// co-facilitator, results, delete): its heading is the summary, so the page stays short and
// the heading list stays whole. Uncontrolled after the first render: what the facilitator
// opens stays open.
import type { ComponentChildren } from 'preact';
import { useState } from 'preact/hooks';

interface Props {
  headingId: string;
  title: string;
  class?: string;
  testId?: string;
  initiallyOpen?: boolean;
  children: ComponentChildren;
}

export function Fold({ headingId, title, class: extra, testId, initiallyOpen = false, children }: Props) {
  const [open] = useState(initiallyOpen);
  return (
    <details class={`card fold${extra ? ` ${extra}` : ''}`} open={open} data-testid={testId}>
      <summary class="fold__summary">
        <h2 id={headingId} class="fold__title">
          {title}
        </h2>
      </summary>
      <div class="fold__body">{children}</div>
    </details>
  );
}
