// Join a session with a code and a name. On the start page the code is a field; on
// /join/CODE it comes from the link.
import { useRef, useState } from 'preact/hooks';
import { joinSession } from '../api';
import { t, useLang } from '../i18n';
import { navigate } from '../router';
import { loadIdentity, saveIdentity } from '../state/identity';
import { isValidJoinCode, normalizeJoinCode } from '../state/join-code';
import { busyAttrs } from '../ui/use-command';
import { apiErrorText } from './api-errors';
import { Field } from './field';

interface Props {
  /** The code from the link; when given, there is no code field. */
  fixedCode?: string;
  idPrefix: string;
}

export function JoinForm({ fixedCode, idPrefix }: Props) {
  useLang();
  const [code, setCode] = useState(fixedCode ?? '');
  const [name, setName] = useState('');
  const [codeError, setCodeError] = useState<string | null>(null);
  const [nameError, setNameError] = useState<string | null>(null);
  const [formError, setFormError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const codeRef = useRef<HTMLInputElement>(null);
  const nameRef = useRef<HTMLInputElement>(null);

  async function submit(event: Event) {
    event.preventDefault();
    if (busy) return;
    const normalized = normalizeJoinCode(code);
    const trimmed = name.trim();
    const badCode = !isValidJoinCode(normalized);
    const badName = trimmed === '';
    setCodeError(badCode && !fixedCode ? t('error.codeInvalid') : null);
    setNameError(badName ? t('error.nameMissing') : null);
    setFormError(badCode && fixedCode ? t('error.codeInvalid') : null);
    if (badCode && !fixedCode) return codeRef.current?.focus();
    if (badName) return nameRef.current?.focus();
    if (badCode) return;
    setBusy(true);
    try {
      const joined = await joinSession(normalized, trimmed);
      const existing = loadIdentity(joined.session_id, 'member');
      // A facilitator trying the join link on their own device keeps their own seat.
      const keepExisting = existing?.role === 'facilitator' || existing?.role === 'co_facilitator';
      if (!keepExisting) {
        saveIdentity(joined.session_id, 'member', {
          token: joined.participant_token,
          name: trimmed,
          role: 'participant',
          joinCode: normalized,
        });
      }
      navigate(`/s/${joined.session_id}`);
    } catch (err) {
      setBusy(false);
      const text = apiErrorText(err, 'error.codeNotFound');
      if (!fixedCode && err instanceof Error && 'kind' in err && err.kind === 'not_found') {
        setCodeError(text);
        codeRef.current?.focus();
      } else {
        setFormError(text);
      }
    }
  }

  return (
    <form class="form" onSubmit={submit} noValidate aria-busy={busy ? 'true' : undefined}>
      {formError && (
        <p class="error-box" role="alert">
          {formError}
        </p>
      )}
      {!fixedCode && (
        <Field
          id={`${idPrefix}-code`}
          inputRef={codeRef}
          label={t('start.join.code')}
          hint={t('start.join.codeHint')}
          error={codeError}
          value={code}
          onValue={setCode}
          autocomplete="off"
          autocapitalize="characters"
          spellcheck={false}
          maxLength={20}
          class="input input--code"
        />
      )}
      <Field
        id={`${idPrefix}-name`}
        inputRef={nameRef}
        label={t('start.join.name')}
        hint={t('start.join.nameHint')}
        error={nameError}
        value={name}
        onValue={setName}
        autocomplete="nickname"
        maxLength={60}
        class="input"
      />
      <button type="submit" class="button button--primary" {...busyAttrs(busy)}>
        {busy ? t('common.busy') : t('start.join.submit')}
      </button>
    </form>
  );
}
