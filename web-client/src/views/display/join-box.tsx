// How to join, on the projector: the code, the QR code and how many are here. Large while
// the phase has nothing else to show; a narrow strip beside an activity, so latecomers can
// still join.
import { t, tCount, useLang } from '../../i18n';
import { formatJoinCode } from '../../state/join-code';
import { useWorkshop } from '../../ui/session-context';
import { QrCode } from '../qr-code';

export function JoinBox({ compact = false }: { compact?: boolean }) {
  useLang();
  const state = useWorkshop();
  const joinLink = `${location.origin}/join/${state.joinCode}`;
  const online = state.participants.filter((p) => p.online && p.role !== 'display').length;
  return (
    <section class={`display__join${compact ? ' display__join--compact' : ''}`} aria-labelledby="display-join">
      <h2 id="display-join" class="display__label">
        {t('display.joinWith')}
      </h2>
      <p class="display__code" data-testid="display-code">
        {formatJoinCode(state.joinCode)}
      </p>
      <QrCode value={joinLink} label={t('share.qrLabel', { link: joinLink })} class="display__qr" />
      <p class="display__host">{t('display.joinAt', { host: location.host })}</p>
      <p class="display__count">{tCount('people.count', online)}</p>
    </section>
  );
}
