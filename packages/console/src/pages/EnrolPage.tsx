import { startRegistration } from '@simplewebauthn/browser';
import { useEffect, useState } from 'react';
import { ApiError, api } from '../api.js';
import { go } from '../route.js';

/** Enrolment by a one-time link: the person registers a passkey and is signed in. */
export function EnrolPage(props: { token: string; onDone: () => Promise<void> }) {
  const [invite, setInvite] = useState<{ email: string; roles: string[] } | undefined>();
  const [error, setError] = useState<string | undefined>();
  const [busy, setBusy] = useState(false);
  const path = `/v1/invites/${encodeURIComponent(props.token)}`;

  useEffect(() => {
    api<{ email: string; roles: string[] }>('GET', path).then(setInvite, (err: unknown) =>
      setError(err instanceof ApiError ? err.message : 'this link cannot be read'),
    );
  }, [path]);

  const enrol = async () => {
    setBusy(true);
    setError(undefined);
    try {
      const { flow, options } = await api<{
        flow: string;
        options: Parameters<typeof startRegistration>[0]['optionsJSON'];
      }>('POST', `${path}/options`);
      const response = await startRegistration({ optionsJSON: options });
      await api('POST', path, { flow, response });
      go('approvals');
      await props.onDone();
    } catch (err) {
      setError(
        err instanceof ApiError ? err.message : `The passkey was not created: ${(err as Error).message}`,
      );
    } finally {
      setBusy(false);
    }
  };

  return (
    <main className="sign-in">
      <h1>Create your passkey</h1>
      {invite && (
        <p>
          This link enrols <strong>{invite.email}</strong> ({invite.roles.join(', ') || 'no roles'}). It works
          once.
        </p>
      )}
      <button type="button" className="primary" disabled={!invite || busy} onClick={() => void enrol()}>
        Create a passkey
      </button>
      {error && (
        <p role="alert" className="error">
          {error}
        </p>
      )}
    </main>
  );
}
