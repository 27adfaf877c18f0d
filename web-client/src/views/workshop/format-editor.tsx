// One connection format. Page 1: the two programmes side by side (the green blocks) with the
// blue connection blocks between them; page 2: notes, opportunities, challenges and actions.
import * as Y from 'yjs';
import { loc, t, useLang } from '../../i18n';
import type { ConnectionFormatActivity, FormatSide } from '../../net/workshop-types';
import {
  arrayAt,
  connectionKey,
  followUpKey,
  sideBlockKey,
  sideNameKey,
  textAt,
} from '../../state/doc-schema';
import { useYText } from '../../ui/hooks';
import { ActionsList } from './actions-list';
import { SharedText } from './shared-text';

interface Props {
  formatId: string;
  map: Y.Map<unknown>;
  activity: ConnectionFormatActivity;
}

export function FormatEditor({ formatId, map, activity }: Props) {
  useLang();
  const field = (key: string) => `${formatId}/${key}`;
  const [left, right] = activity.sides;
  const connections = activity.connections ?? [];
  const followUp = activity.follow_up ?? [];
  return (
    <div class="format-editor">
      <h3 class="format__page">{t('format.page1')}</h3>
      <div class="format-grid">
        {left && <SideColumn side={left} map={map} activity={activity} field={field} place="left" />}
        {connections.length > 0 && (
          <section class="format-col format-col--blue" aria-label={t('format.connections')}>
            <h4 class="format-col__title">{t('format.connections')}</h4>
            {connections.map((block) => (
              <SharedText
                key={block.id}
                text={textAt(map, connectionKey(block.id))}
                field={field(connectionKey(block.id))}
                label={loc(block.label)}
                help={loc(block.help)}
                rows={3}
                testId={`conn-${block.id}`}
              />
            ))}
          </section>
        )}
        {right && <SideColumn side={right} map={map} activity={activity} field={field} place="right" />}
      </div>
      {followUp.length > 0 && (
        <>
          <h3 class="format__page">{t('format.page2')}</h3>
          <div class="format-follow">
            {followUp.map((block) =>
              block.input === 'actions' ? (
                <ActionsList
                  key={block.id}
                  array={arrayAt(map, followUpKey(block.id))}
                  block={block}
                  fieldPrefix={field(followUpKey(block.id))}
                />
              ) : (
                <SharedText
                  key={block.id}
                  text={textAt(map, followUpKey(block.id))}
                  field={field(followUpKey(block.id))}
                  label={loc(block.label)}
                  help={loc(block.help)}
                  rows={4}
                  testId={`follow-${block.id}`}
                />
              ),
            )}
          </div>
        </>
      )}
    </div>
  );
}

interface SideProps {
  side: FormatSide;
  map: Y.Map<unknown>;
  activity: ConnectionFormatActivity;
  field: (key: string) => string;
  place: 'left' | 'right';
}

function SideColumn({ side, map, activity, field, place }: SideProps) {
  const nameText = textAt(map, sideNameKey(side.id));
  const typed = useYTextOrEmpty(nameText).trim();
  const name = (side.name_editable && typed) || loc(side.label);
  return (
    <section class={`format-col format-col--green format-col--${place}`} aria-label={name}>
      <h4 class="format-col__title">{name}</h4>
      {side.name_editable && (
        <SharedText
          text={nameText}
          field={field(sideNameKey(side.id))}
          label={t('format.programmeName')}
          help={loc(side.help)}
          placeholder={loc(side.label)}
          multiline={false}
          testId={`side-${side.id}-name`}
        />
      )}
      {activity.side_blocks.map((block) => (
        <SharedText
          key={block.id}
          text={textAt(map, sideBlockKey(side.id, block.id))}
          field={field(sideBlockKey(side.id, block.id))}
          label={loc(block.label)}
          labelSuffix={name}
          help={loc(block.help)}
          rows={3}
          testId={`side-${side.id}-${block.id}`}
        />
      ))}
    </section>
  );
}

/** Stands in for a field the server has not created (yet). */
const EMPTY = new Y.Doc().getText('empty');

function useYTextOrEmpty(text: Y.Text | null): string {
  // Hooks cannot be skipped; an unbound field reads as empty.
  const value = useYText(text ?? EMPTY);
  return text ? value : '';
}
