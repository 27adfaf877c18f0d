// Create a session; the creator becomes its facilitator.
import { useState } from 'preact/hooks';
import { ApiError, createSession } from '../api';
import { t, useLang } from '../i18n';
import { navigate } from '../router';
import { saveIdentity } from '../state/identity';
import { busyAttrs } from '../ui/use-command';
import { apiErrorText } from './api-errors';
import { Field } from './field';

export function CreateForm() {
  useLang();
  const [title, setTitle] = useState('');
  const [name, setName] = useState('');
  // Asked for only once the server has said it wants a key (`--create-key`).
  const [askKey, setAskKey] = useState(false);
  const [key, setKey] = useState('');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);

  async function submit(event: Event) {
    event.preventDefault();
    if (busy) return;
    setBusy(true);
    setError(null);
    try {
      const created = await createSession(title.trim(), name.trim() || undefined, key.trim() || undefined);
      saveIdentity(created.id, 'member', {
        token: created.facilitator_token,
        role: 'facilitator',
        title: created.title,
        joinCode: created.join_code,
        displayToken: created.display_token,
      });
      saveIdentity(created.id, 'display', {
        token: created.display_token,
        title: created.title,
        joinCode: created.join_code,
      });
      navigate(`/s/${created.id}`);
    } catch (err) {
      setBusy(false);
      if (err instanceof ApiError && err.kind === 'unauthorized') setAskKey(true);
      setError(apiErrorText(err, 'error.unavailable'));
    }
  }

  return (
    <form class="form" onSubmit={submit} noValidate aria-busy={busy ? 'true' : undefined}>
      {error && (
        <p class="error-box" role="alert">
          {error}
        </p>
      )}
      <Field
        id="create-title"
        label={t('start.create.title')}
        hint={t('start.create.titleHint')}
        value={title}
        onValue={setTitle}
        maxLength={120}
        autocomplete="off"
        class="input"
      />
      <Field
        id="create-name"
        label={t('start.create.name')}
        hint={t('start.create.nameHint')}
        value={name}
        onValue={setName}
        maxLength={60}
        autocomplete="nickname"
        class="input"
      />
      {askKey && (
        <Field
          id="create-key"
          label={t('start.create.key')}
          hint={t('start.create.keyHint')}
          value={key}
          onValue={setKey}
          type="password"
          autocomplete="off"
          class="input"
        />
      )}
      <button type="submit" class="button button--secondary" {...busyAttrs(busy)}>
        {busy ? t('common.busy') : t('start.create.submit')}
      </button>
    </form>
  );
}
