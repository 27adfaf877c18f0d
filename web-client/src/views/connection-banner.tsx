// A calm line under the header while the connection is away, and a polite announcement
// when it goes and comes back. Short blips (a second or so) show nothing.
import { useEffect, useRef, useState } from 'preact/hooks';
import { t, useLang } from '../i18n';
import type { ConnectionState } from '../net/connection';
import { announce } from '../ui/live-region';

const BLIP_MS = 1500;

export function ConnectionBanner({ state }: { state: ConnectionState }) {
  useLang();
  const offline = state.status === 'offline';
  // Before the first connection "connecting…" is said elsewhere, unless we know we are offline.
  const away = (state.everConnected || offline) && state.status !== 'open' && state.status !== 'stopped';
  const [visible, setVisible] = useState(false);
  const announcedLoss = useRef(false);

  useEffect(() => {
    if (!away) {
      setVisible(false);
      if (announcedLoss.current) announce(t('status.back'));
      announcedLoss.current = false;
      return;
    }
    // Offline is certain at once; a reconnect may be over before anyone notices.
    const timer = setTimeout(
      () => {
        setVisible(true);
        if (!announcedLoss.current) announce(t(offline ? 'status.offline' : 'status.reconnecting'));
        announcedLoss.current = true;
      },
      offline ? 0 : BLIP_MS,
    );
    return () => clearTimeout(timer);
  }, [away, offline]);

  if (!visible || !away) return null;
  return (
    <div class="banner" data-testid="connection-banner">
      <span class="banner__icon" aria-hidden="true">
        ●
      </span>
      <p>{t(offline ? 'status.offline' : 'status.reconnecting')}</p>
    </div>
  );
}
