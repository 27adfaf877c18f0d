// The words for whose turn it is in a carousel stage.
import { t } from '../../i18n';
import type { StageRole } from '../../net/workshop-types';

export function whoText(who: StageRole, ownerName: string): string {
  switch (who) {
    case 'owner':
      return t('carousel.who.owner', { name: ownerName || t('carousel.owner') });
    case 'helpers':
      return t('carousel.who.helpers');
    default:
      return t('carousel.who.everyone');
  }
}
