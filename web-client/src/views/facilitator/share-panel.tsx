// For the facilitator: the join code with its QR code, the participants' link and the
// projector's link; locking the session, and replacing a code that got out (after a
// confirmation: the old code, link and QR code stop working). The code, link and QR code
// follow the server's `join_code` event, here and on the room display.
import { t, useLang } from '../../i18n';
import { loadIdentity } from '../../state/identity';
import { formatJoinCode } from '../../state/join-code';
import { announce } from '../../ui/live-region';
import { useSessionContext, useWorkshop } from '../../ui/session-context';
import { CopyButton } from '../copy-button';
import { QrCode } from '../qr-code';
import { Fold } from './fold';

export function SharePanel() {
  useLang();
  const { sessionId, conn } = useSessionContext();
  const state = useWorkshop();
  async function setLocked(locked: boolean) {
    try {
      await conn.command({ type: 'set_join_locked', locked });
      announce(t(locked ? 'share.lockedNow' : 'share.openNow'));
    } catch {
      announce(t('share.lockFailed'));
    }
  }
  async function rotate() {
    if (!confirm(t('share.rotateConfirm'))) return;
    try {
      await conn.command({ type: 'rotate_join_code' });
      announce(t('share.rotatedNow'));
    } catch {
      announce(t('share.rotateFailed'));
    }
  }
  const origin = location.origin;
  const joinCode = state.joinCode;
  const participantLink = `${origin}/join/${joinCode}`;
  // Only the device that created the session knows the projector's token.
  const displayToken = loadIdentity(sessionId, 'member')?.displayToken;
  const displayLink = displayToken ? `${origin}/s/${sessionId}/display#token=${displayToken}` : null;
  // Open while nobody has joined yet: then the code is what the facilitator needs.
  const openShare = !state.participants.some((p) => p.role === 'participant');
  return (
    <Fold headingId="share-heading" title={t('share.heading')} class="share" initiallyOpen={openShare}>
      <div class="share__row share__row--code">
        <div>
          <p class="share__label">{t('share.code')}</p>
          <p class="share__code" data-testid="join-code">
            {formatJoinCode(joinCode)}
          </p>
        </div>
        <QrCode value={participantLink} label={t('share.qrLabel', { link: participantLink })} class="share__qr" />
      </div>
      <div class="share__row">
        <p class="hint" data-testid="join-lock">{t(state.joinLocked ? 'share.locked' : 'share.open')}</p>
        <p class="share__actions">
          <button type="button" class="button button--secondary" onClick={() => void setLocked(!state.joinLocked)}>
            {t(state.joinLocked ? 'share.unlock' : 'share.lock')}
          </button>
        </p>
      </div>
      <div class="share__row">
        <p class="hint">{t('share.rotateHint')}</p>
        <p class="share__actions">
          <button type="button" class="button button--secondary" data-testid="rotate-code" onClick={() => void rotate()}>
            {t('share.rotate')}
          </button>
        </p>
      </div>
      <div class="share__row">
        <p class="share__label">{t('share.participantLink')}</p>
        <p class="share__value break-all">{participantLink}</p>
        <p class="share__actions">
          <CopyButton value={participantLink} label={t('share.participantLink')} />
        </p>
      </div>
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
    </Fold>
  );
}
