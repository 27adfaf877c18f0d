// The facilitator's carousel controls: rounds (topic and owner), and the clock. One main
// button does what comes next (start the next round, pause, resume); the steps of a round
// are a row of their own; stopping the whole carousel sits apart and asks first. The server
// runs the clock; these only ask it to.
//
// Keyboard: no button is taken away or disabled while it has focus. The main button is one
// element whose label changes; buttons that cannot be used now are aria-disabled.
import { useEffect, useId, useRef, useState } from 'preact/hooks';
import { loc, t, useLang } from '../../i18n';
import type { CarouselActivity, CarouselView, ParticipantView, TopicSuggestion } from '../../net/workshop-types';
import { useSessionContext, useWorkshop } from '../../ui/session-context';
import { busyAttrs, useCommand } from '../../ui/use-command';
import { ConfirmButton } from './confirm-button';

function people(participants: ParticipantView[]): ParticipantView[] {
  return participants.filter((p) => p.role !== 'display');
}

/** A button that stays in the tab order when it cannot be used now (aria-disabled). */
function StepButton({ label, unavailable, busy, onPress, testId }: { label: string; unavailable: boolean; busy: boolean; onPress: () => void; testId?: string }) {
  return (
    <button
      type="button"
      class="button button--secondary"
      data-testid={testId}
      aria-disabled={unavailable || busy ? 'true' : undefined}
      aria-busy={busy ? 'true' : undefined}
      onClick={() => {
        if (!unavailable) onPress();
      }}
    >
      {label}
    </button>
  );
}

export function CarouselControls({ activity, carousel }: { activity: CarouselActivity; carousel: CarouselView | null }) {
  useLang();
  const id = useId();
  const { run, busy, error } = useCommand();
  const status = carousel?.clock.status ?? 'idle';
  const inRound = carousel?.current_round !== null && carousel?.current_round !== undefined;
  const running = inRound && status === 'running';
  const paused = inRound && status === 'paused';
  const done = inRound && status === 'done';
  const nextRound = carousel ? carousel.rounds.findIndex((r) => !r.ran) : -1;
  const stage = carousel?.stage_index ?? 0;
  const stageCount = carousel?.stages.length ?? 0;
  const lastStage = stage >= stageCount - 1;

  // The one main action of this moment.
  let main: { label: string; unavailable: boolean; press: () => void };
  if (running) main = { label: t('cc.pause'), unavailable: false, press: () => void run({ type: 'carousel_pause' }, t('facil.paused')) };
  else if (paused) main = { label: t('cc.resume'), unavailable: false, press: () => void run({ type: 'carousel_resume' }, t('facil.resumed')) };
  else if (nextRound >= 0) {
    main = { label: t('cc.start', { n: nextRound + 1 }), unavailable: false, press: () => void run({ type: 'carousel_start' }, t('cc.started')) };
  } else main = { label: t('facil.startRound'), unavailable: true, press: () => undefined };
  const mainHint = main.unavailable ? ((carousel?.rounds.length ?? 0) > 0 ? t('facil.noRoundLeft') : t('facil.addRoundFirst')) : null;

  return (
    <section class="card controls carousel-controls" aria-labelledby={`${id}-h`} data-testid="carousel-controls">
      <h2 id={`${id}-h`}>{t('cc.heading')}</h2>
      <div class="button-row" role="group" aria-label={t('cc.clock')}>
        <button
          type="button"
          class="button button--primary"
          data-focus-home
          data-testid="carousel-main"
          aria-disabled={main.unavailable || busy ? 'true' : undefined}
          aria-busy={busy ? 'true' : undefined}
          aria-describedby={mainHint ? `${id}-main-hint` : undefined}
          onClick={() => {
            if (!main.unavailable) main.press();
          }}
        >
          {main.label}
        </button>
        {(running || paused) && (
          <StepButton label={t('cc.addMinute')} unavailable={false} busy={busy} onPress={() => void run({ type: 'carousel_add_time', seconds: 60 }, t('cc.addedMinute'))} />
        )}
      </div>
      {mainHint && (
        <p class="hint" id={`${id}-main-hint`}>
          {mainHint}
        </p>
      )}
      {inRound && !done && (
        <div class="button-row controls__steps" role="group" aria-label={t('facil.steps', { n: stage + 1, count: stageCount })}>
          <StepButton
            label={stage > 0 ? t('cc.back', { n: stage }) : t('facil.backNone')}
            unavailable={stage === 0}
            busy={busy}
            onPress={() => void run({ type: 'carousel_previous_stage' })}
          />
          <StepButton label={t('cc.restart', { n: stage + 1 })} unavailable={false} busy={busy} onPress={() => void run({ type: 'carousel_restart_stage' })} />
          <StepButton
            label={lastStage ? t('cc.finish') : t('cc.skip', { n: stage + 2 })}
            unavailable={false}
            busy={busy}
            onPress={() => void run({ type: 'carousel_next_stage' })}
          />
        </div>
      )}
      {error && (
        <p class="error-text" role="alert">
          {error}
        </p>
      )}
      {carousel && carousel.rounds.length > 0 && <RoundOwners carousel={carousel} nextRound={inRound && !done ? -1 : nextRound} />}
      <AddRoundForm activity={activity} />
      {inRound && (
        <div class="controls__apart">
          <ConfirmButton
            label={t('cc.end')}
            title={t('facil.endTitle')}
            body={t('facil.endBody')}
            yes={t('facil.endYes')}
            no={t('facil.endNo')}
            testId="carousel-end"
            onConfirm={() => void run({ type: 'carousel_end' }, t('cc.ended'))}
          />
        </div>
      )}
    </section>
  );
}

/** `nextRound`: the round the main button starts now (-1: none), which gets no button of its own here. */
function RoundOwners({ carousel, nextRound }: { carousel: CarouselView; nextRound: number }) {
  const state = useWorkshop();
  const { run, busy, error } = useCommand();
  return (
    <div class="round-owners">
      <h3>{t('cc.roundsHeading')}</h3>
      <ol class="plain-list">
        {carousel.rounds.map((round, i) => {
          const selectId = `owner-${round.id}`;
          return (
            <li key={round.id} class="round-owner">
              <p class="round-owner__topic">
                {t('carousel.round', { n: i + 1 })}: {round.topic}
              </p>
              <label for={selectId}>{t('cc.ownerOf', { n: i + 1 })}</label>
              <select
                id={selectId}
                class="input"
                value={round.owner_id}
                {...busyAttrs(busy)}
                onChange={(e) => run({ type: 'carousel_set_owner', round_id: round.id, owner_id: e.currentTarget.value }, t('cc.ownerSet'))}
              >
                {people(state.participants).map((p) => (
                  <option key={p.id} value={p.id}>
                    {p.name}
                  </option>
                ))}
              </select>
              {carousel.current_round !== i && nextRound !== i && (
                <button type="button" class="button button--quiet" {...busyAttrs(busy)} onClick={() => run({ type: 'carousel_start', round_id: round.id }, t('cc.started'))}>
                  {t('cc.startThis', { n: i + 1 })}
                </button>
              )}
            </li>
          );
        })}
      </ol>
      {error && (
        <p class="error-text" role="alert">
          {error}
        </p>
      )}
    </div>
  );
}

function AddRoundForm({ activity }: { activity: CarouselActivity }) {
  const state = useWorkshop();
  const id = useId();
  const choices = people(state.participants);
  const [topic, setTopic] = useState('');
  const [owner, setOwner] = useState('');
  const topicField = useRef<HTMLInputElement>(null);
  const { run, busy, error } = useCommand();
  const { conn } = useSessionContext();
  const [suggestions, setSuggestions] = useState<TopicSuggestion[]>([]);
  const taken = new Set((state.carousel?.rounds ?? []).map((r) => r.topic));
  // What phase 3's formats say about opportunities and challenges, fetched when the form
  // appears and again when the list is opened, so it follows what people are still typing.
  async function loadSuggestions() {
    try {
      const reply = await conn.command({ type: 'carousel_topics', activity_id: activity.id });
      setSuggestions(reply.topics);
    } catch {
      // Typing a topic works without them.
    }
  }
  useEffect(() => {
    void loadSuggestions();
  }, []);
  const open = suggestions.filter((s) => !taken.has(s.text));
  const blockLabel = (blockId: string) => {
    for (const phase of state.template.phases) {
      for (const a of phase.activities) {
        if (a.kind !== 'connection_format') continue;
        const block = a.follow_up?.find((b) => b.id === blockId);
        if (block) return loc(block.label);
      }
    }
    return blockId;
  };
  const ownerId = owner || choices.find((p) => p.role === 'participant')?.id || choices[0]?.id || '';
  async function submit(event: Event) {
    event.preventDefault();
    if (!topic.trim() || !ownerId) return;
    const ok = await run(
      { type: 'carousel_add_round', topic: topic.trim(), owner_id: ownerId, activity_id: activity.id },
      t('cc.roundAdded'),
    );
    if (ok) {
      setTopic('');
      // Ready for the next round's topic (the add button is unavailable while it is empty).
      topicField.current?.focus();
    }
  }
  return (
    <form class="form add-round" onSubmit={submit} aria-labelledby={`${id}-h`}>
      <h3 id={`${id}-h`}>{t('cc.addRound')}</h3>
      {open.length > 0 && (
        <div class="field">
          <label for={`${id}-from`}>{t('cc.fromFormats')}</label>
          <select
            id={`${id}-from`}
            class="input"
            data-testid="topic-suggestions"
            value=""
            onFocus={() => void loadSuggestions()}
            onChange={(e) => setTopic(e.currentTarget.value)}
          >
            <option value="">{t('cc.pickTopic')}</option>
            {open.map((s) => (
              <option key={`${s.format_id}/${s.block_id}/${s.text}`} value={s.text}>
                {blockLabel(s.block_id)}: {s.text}
              </option>
            ))}
          </select>
        </div>
      )}
      <div class="field">
        <label for={`${id}-topic`}>{t('cc.topic')}</label>
        <p class="hint" id={`${id}-topic-hint`}>
          {t('cc.topicHint')}
        </p>
        <input
          ref={topicField}
          id={`${id}-topic`}
          class="input"
          type="text"
          value={topic}
          maxLength={200}
          aria-describedby={`${id}-topic-hint`}
          onInput={(e) => setTopic(e.currentTarget.value)}
        />
      </div>
      <div class="field">
        <label for={`${id}-owner`}>{t('cc.owner')}</label>
        <select id={`${id}-owner`} class="input" value={ownerId} onChange={(e) => setOwner(e.currentTarget.value)}>
          {choices.map((p) => (
            <option key={p.id} value={p.id}>
              {p.name}
            </option>
          ))}
        </select>
      </div>
      {error && (
        <p class="error-text" role="alert">
          {error}
        </p>
      )}
      <button type="submit" class="button button--secondary" aria-disabled={busy || !topic.trim() ? 'true' : undefined} aria-busy={busy ? 'true' : undefined}>
        {t('cc.addRoundButton')}
      </button>
    </form>
  );
}
