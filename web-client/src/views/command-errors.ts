// Plain words for a command that did not work. The server's own message is English and
// technical, so it is not shown; the code is enough to say what to do.
import { t } from '../i18n';
import { ConnectionError, ControlError } from '../net/connection';

export function commandErrorText(err: unknown): string {
  if (err instanceof ConnectionError) return t('command.offline');
  if (err instanceof ControlError) {
    switch (err.code) {
      case 'forbidden':
        return t('command.forbidden');
      case 'rate_limited':
        return t('command.rateLimited');
      case 'conflict':
        return t('command.conflict');
      case 'bad_request':
      case 'not_found':
        return t('command.badRequest');
      default:
        return t('command.failed');
    }
  }
  return t('command.failed');
}
