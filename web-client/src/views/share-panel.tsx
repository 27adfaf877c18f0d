// For the facilitator: the code, the participants' link and the projector's link.
import { useState } from 'preact/hooks';
import { t, useLang } from '../i18n';
import { formatJoinCode } from '../state/join-code';
import { announce } from '../ui/live-region';

function CopyButton({ value, label }: { value: string; label: string }) {
  const [done, setDone] = useState(false);
  async function copy() {
    try {
      await navigator.clipboard.writeText(value);
      setDone(true);
      announce(t('common.copied'));
      setTimeout(() => setDone(false), 2500);
    } catch {
      announce(t('common.copyFailed'));
    }
  }
  return (
    <button type="button" class="button button--quiet" onClick={copy} aria-label={`${t('common.copy')}: ${label}`}>
      {done ? t('common.copied') : t('common.copy')}
    </button>
  );
}

interface Props {
  sessionId: string;
  joinCode: string | undefined;
  displayToken: string | undefined;
}

export function SharePanel({ sessionId, joinCode, displayToken }: Props) {
  useLang();
  const origin = location.origin;
  const participantLink = joinCode ? `${origin}/join/${joinCode}` : null;
  const displayLink = displayToken ? `${origin}/s/${sessionId}/display#token=${displayToken}` : null;
  return (
    <section class="card share" aria-labelledby="share-heading">
      <h2 id="share-heading">{t('share.heading')}</h2>
      {joinCode && (
        <div class="share__row">
          <p class="share__label">{t('share.code')}</p>
          <p class="share__code" data-testid="join-code">
            {formatJoinCode(joinCode)}
          </p>
        </div>
      )}
      {participantLink && (
        <div class="share__row">
          <p class="share__label" id="share-link-label">
            {t('share.participantLink')}
          </p>
          <p class="share__value break-all">{participantLink}</p>
          <p class="share__actions">
            <CopyButton value={participantLink} label={t('share.participantLink')} />
          </p>
        </div>
      )}
      {displayLink && (
        <div class="share__row">
          <h3>{t('share.displayHeading')}</h3>
          <p class="hint">{t('share.displayHint')}</p>
          <p class="share__actions">
            <a class="button button--secondary" href={displayLink} target="_blank" rel="noopener">
              {t('share.openDisplay')}
            </a>
            <CopyButton value={displayLink} label={t('share.displayLink')} />
          </p>
        </div>
      )}
    </section>
  );
}
