// Everything the session made, on paper, in the workshop's order: each phase with what its
// activities hold and the post-its of its board; the carousel round by round.
import type * as Y from 'yjs';
import { loc, t, tCount, useLang } from '../../i18n';
import type { Activity, CarouselActivity, Phase } from '../../net/workshop-types';
import { phaseBoard, roundBoard } from '../../state/boards';
import { readFormats, readGuide, readList, readNotes, readPlan } from '../../state/doc-read';
import type { WorkshopState } from '../../state/workshop-reducer';
import { wallOrder } from '../display/wall';
import { PrintFormat } from './print-format';
import { PrintPlan } from './print-plan';
import { PrintTable } from './print-table';

function PostIts({ state, board }: { state: WorkshopState; board: string }) {
  const ideas = wallOrder(state, board);
  if (ideas.length === 0) return null;
  return (
    <div class="print-postits">
      <h4>{tCount('board.count', ideas.length)}</h4>
      <ul>
        {ideas.map(({ idea, group }, i) => (
          <li key={idea.id}>
            {group && (i === 0 || ideas[i - 1]?.group !== group) && <strong class="print-postits__group">{group}: </strong>}
            {idea.text}
            {idea.votes > 0 && <span class="print-postits__votes"> ({tCount('idea.votes', idea.votes)})</span>}
          </li>
        ))}
      </ul>
    </div>
  );
}

function Carousel({ state, activity }: { state: WorkshopState; activity: CarouselActivity }) {
  const rounds = state.carousel?.activity_id === activity.id ? state.carousel.rounds : [];
  return (
    <>
      {rounds.length === 0 && <p class="print-empty">{t('print.nothing')}</p>}
      {rounds.map((round, i) => (
        <section key={round.id} class="print-round">
          <h4>
            {t('carousel.round', { n: i + 1 })}: {round.topic}{' '}
            <span class="print-meta">({t('carousel.ownerIs', { name: round.owner_name })})</span>
          </h4>
          <PostIts state={state} board={roundBoard(round.id)} />
          {round.next_step && (
            <p>
              <strong>{t('carousel.nextStepIs')}</strong> {round.next_step.text}
              {round.next_step.owner && ` (${round.next_step.owner}${round.next_step.date ? `, ${round.next_step.date}` : ''})`}
            </p>
          )}
        </section>
      ))}
    </>
  );
}

function ActivityResult({ state, doc, activity }: { state: WorkshopState; doc: Y.Doc; activity: Activity }) {
  const title = <h3>{loc(activity.title)}</h3>;
  switch (activity.kind) {
    case 'guided_visualisation':
      return (
        <section class="print-activity">
          {title}
          <ol>
            {activity.questions.map((q, i) => (
              <li key={i}>{loc(q)}</li>
            ))}
          </ol>
        </section>
      );
    case 'notes': {
      const text = activity.personal ? (state.myNotes[activity.id] ?? '') : readNotes(doc, activity);
      return (
        <section class="print-activity">
          {title}
          {activity.personal && <p class="print-meta">{t('print.personal')}</p>}
          <p class="print-text">{text.trim() || '–'}</p>
        </section>
      );
    }
    case 'list': {
      const data = readList(doc, activity);
      return (
        <section class="print-activity">
          {title}
          {data.rows.length ? <PrintTable data={data} /> : <p class="print-empty">{t('print.nothing')}</p>}
        </section>
      );
    }
    case 'connection_format': {
      const formats = readFormats(doc, activity);
      return (
        <section class="print-activity">
          {formats.map((format, i) => (
            <PrintFormat
              key={format.id}
              activity={activity}
              format={format}
              name={formats.length > 1 ? t('format.number', { n: i + 1 }) : undefined}
            />
          ))}
        </section>
      );
    }
    case 'brainstorm_carousel':
      return (
        <section class="print-activity">
          {title}
          <Carousel state={state} activity={activity} />
        </section>
      );
    case 'conversation_guide':
      return (
        <section class="print-activity">
          {title}
          <ol class="print-guide">
            {readGuide(doc, activity).map((q, i) => (
              <li key={i}>
                <span aria-hidden="true">{q.asked ? '☑ ' : '☐ '}</span>
                {q.question}
                {q.asked && <span class="sr-only"> ({t('display.asked')})</span>}
                {q.notes.trim() && <p class="print-text">{q.notes}</p>}
              </li>
            ))}
          </ol>
        </section>
      );
    case 'communication_plan':
      return (
        <section class="print-activity">
          <PrintPlan activity={activity} data={readPlan(doc, activity)} level={3} />
        </section>
      );
  }
}

function PhaseResult({ state, doc, phase, n }: { state: WorkshopState; doc: Y.Doc; phase: Phase; n: number }) {
  return (
    <section class="print-phase" data-testid="print-phase">
      <h2>
        {t('phase.step', { n, count: state.template.phases.length })}: {loc(phase.title)}
      </h2>
      <p class="print-meta">
        <strong>{t('phase.result')}</strong> {loc(phase.result)}
      </p>
      {phase.activities.map((activity) => (
        <ActivityResult key={activity.id} state={state} doc={doc} activity={activity} />
      ))}
      <PostIts state={state} board={phaseBoard(phase.id)} />
    </section>
  );
}

export function PrintResults({ state, doc }: { state: WorkshopState; doc: Y.Doc }) {
  useLang();
  return (
    <div class="print-results" data-testid="print-results">
      {state.template.phases.map((phase, i) => (
        <PhaseResult key={phase.id} state={state} doc={doc} phase={phase} n={i + 1} />
      ))}
    </div>
  );
}
