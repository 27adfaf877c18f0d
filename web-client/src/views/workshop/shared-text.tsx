// A labelled field that everyone edits together (a Y.Text), with who else is in it now.
import { useId, useRef } from 'preact/hooks';
import type * as Y from 'yjs';
import { t, useLang } from '../../i18n';
import { useSessionContext } from '../../ui/session-context';
import { useYTextBinding } from '../../ui/use-ytext-binding';

interface Props {
  text: Y.Text | null;
  /** Awareness name of this field: unique in the session. */
  field: string;
  label: string;
  /** Said to screen readers after the label, to tell fields with the same label apart. */
  labelSuffix?: string;
  help?: string;
  multiline?: boolean;
  rows?: number;
  /** Visually hide the label (it is clear from the layout, e.g. a table cell). */
  hideLabel?: boolean;
  placeholder?: string;
  testId?: string;
  class?: string;
}

export function SharedText(props: Props) {
  useLang();
  const { conn, people, welcome } = useSessionContext();
  const id = useId();
  const ref = useRef<HTMLTextAreaElement & HTMLInputElement>(null);
  useYTextBinding(ref, conn, props.text, props.field);
  const readOnly = welcome.role === 'display' || !props.text;
  const others = people.filter((p) => !p.isSelf && p.field === props.field);
  const helpId = props.help ? `${id}-help` : undefined;
  const presenceId = `${id}-presence`;
  const common = {
    ref,
    id,
    class: `input shared-text__input${props.multiline === false ? '' : ' shared-text__area'}`,
    readOnly,
    placeholder: props.placeholder,
    'aria-describedby': [helpId, presenceId].filter(Boolean).join(' '),
    'data-testid': props.testId,
    'data-field': props.field,
    spellcheck: true,
  };
  return (
    <div class={`shared-text${others.length ? ' shared-text--busy' : ''} ${props.class ?? ''}`}>
      <label for={id} class={props.hideLabel ? 'sr-only' : 'shared-text__label'}>
        {props.label}
        {props.labelSuffix && <span class="sr-only"> ({props.labelSuffix})</span>}
      </label>
      {props.help && (
        <p id={helpId} class="hint">
          {props.help}
        </p>
      )}
      {props.multiline === false ? <input type="text" {...common} /> : <textarea rows={props.rows ?? 3} {...common} />}
      <p id={presenceId} class="shared-text__presence">
        {others.length > 0 && (
          <>
            {t('field.alsoHere')}{' '}
            {others.map((person, i) => (
              <span key={person.id} class="person person--inline">
                <span class="person__dot" style={{ backgroundColor: person.color }} aria-hidden="true" />
                {person.name}
                {i < others.length - 1 ? ', ' : ''}
              </span>
            ))}
          </>
        )}
      </p>
    </div>
  );
}
