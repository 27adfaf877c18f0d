// The facilitator's carousel controls: rounds (topic and owner), and the clock (start, pause,
// resume, +1 minute, back, again, skip, next round, end). The server runs the clock; these
// only ask it to.
import { useEffect, useId, useState } from 'preact/hooks';
import { loc, t, useLang } from '../../i18n';
import type { CarouselActivity, CarouselView, ParticipantView, TopicSuggestion } from '../../net/workshop-types';
import { useSessionContext, useWorkshop } from '../../ui/session-context';
import { useCommand } from '../../ui/use-command';

function people(participants: ParticipantView[]): ParticipantView[] {
  return participants.filter((p) => p.role !== 'display');
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
  const hasUnrun = carousel ? carousel.rounds.length > 0 : false;
  const lastStage = carousel ? carousel.stage_index >= carousel.stages.length - 1 : false;
  return (
    <section class="controls" aria-labelledby={`${id}-h`} data-testid="carousel-controls">
      <h3 id={`${id}-h`}>{t('cc.heading')}</h3>
      <div class="button-row" role="group" aria-label={t('cc.clock')}>
        {(!inRound || done) && (
          <button type="button" class="button button--primary" disabled={busy || !hasUnrun} onClick={() => run({ type: 'carousel_start' }, t('cc.started'))}>
            {t('cc.start')}
          </button>
        )}
        {running && (
          <button type="button" class="button button--primary" disabled={busy} onClick={() => run({ type: 'carousel_pause' })}>
            {t('cc.pause')}
          </button>
        )}
        {paused && (
          <button type="button" class="button button--primary" disabled={busy} onClick={() => run({ type: 'carousel_resume' })}>
            {t('cc.resume')}
          </button>
        )}
        {(running || paused) && (
          <button type="button" class="button button--secondary" disabled={busy} onClick={() => run({ type: 'carousel_add_time', seconds: 60 }, t('cc.addedMinute'))}>
            {t('cc.addMinute')}
          </button>
        )}
        {inRound && (
          <>
            <button type="button" class="button button--secondary" disabled={busy || carousel?.stage_index === 0} onClick={() => run({ type: 'carousel_previous_stage' })}>
              {t('cc.back')}
            </button>
            <button type="button" class="button button--secondary" disabled={busy || done} onClick={() => run({ type: 'carousel_restart_stage' })}>
              {t('cc.restart')}
            </button>
            <button type="button" class="button button--secondary" disabled={busy || done} onClick={() => run({ type: 'carousel_next_stage' })}>
              {lastStage ? t('cc.finish') : t('cc.skip')}
            </button>
            <button type="button" class="button button--secondary" disabled={busy || !carousel?.rounds.some((r) => !r.ran)} onClick={() => run({ type: 'carousel_next_round' })}>
              {t('cc.nextRound')}
            </button>
            <button type="button" class="button button--quiet" disabled={busy} onClick={() => run({ type: 'carousel_end' }, t('cc.ended'))}>
              {t('cc.end')}
            </button>
          </>
        )}
      </div>
      {error && (
        <p class="error-text" role="alert">
          {error}
        </p>
      )}
      {carousel && carousel.rounds.length > 0 && <RoundOwners carousel={carousel} />}
      <AddRoundForm activity={activity} />
    </section>
  );
}

function RoundOwners({ carousel }: { carousel: CarouselView }) {
  const state = useWorkshop();
  const { run, busy, error } = useCommand();
  return (
    <div class="round-owners">
      <h4>{t('cc.roundsHeading')}</h4>
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
                disabled={busy}
                onChange={(e) => run({ type: 'carousel_set_owner', round_id: round.id, owner_id: e.currentTarget.value }, t('cc.ownerSet'))}
              >
                {people(state.participants).map((p) => (
                  <option key={p.id} value={p.id}>
                    {p.name}
                  </option>
                ))}
              </select>
              {carousel.current_round !== i && (
                <button type="button" class="button button--quiet" disabled={busy} onClick={() => run({ type: 'carousel_start', round_id: round.id }, t('cc.started'))}>
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
    if (ok) setTopic('');
  }
  return (
    <form class="form add-round" onSubmit={submit} aria-labelledby={`${id}-h`}>
      <h4 id={`${id}-h`}>{t('cc.addRound')}</h4>
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
      <button type="submit" class="button button--secondary" disabled={busy || !topic.trim()}>
        {t('cc.addRoundButton')}
      </button>
    </form>
  );
}
