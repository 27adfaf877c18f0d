// Plain-language texts for API failures.
import { ApiError } from '../api';
import { t } from '../i18n';

export function apiErrorText(err: unknown, notFound: 'error.codeNotFound' | 'error.unavailable'): string {
  if (!(err instanceof ApiError)) return t('error.unavailable');
  switch (err.kind) {
    case 'not_found':
      return t(notFound);
    case 'rate_limited':
      return t('error.rateLimited', { seconds: err.retryAfter ?? 60 });
    case 'network':
      return t('error.network');
    case 'unauthorized':
      return t('error.createKey');
    case 'bad_request':
    case 'unavailable':
      return t('error.unavailable');
  }
}
