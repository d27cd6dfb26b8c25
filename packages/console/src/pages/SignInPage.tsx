import { startAuthentication } from '@simplewebauthn/browser';
import { useEffect, useState } from 'react';
import { ApiError, api } from '../api.js';

/** Sign-in with a passkey, or through the organisation's OpenID provider when one is configured. */
export function SignInPage(props: { notice?: string | undefined; onSignedIn: () => Promise<void> }) {
  const [error, setError] = useState<string | undefined>();
  const [busy, setBusy] = useState(false);
  const [sso, setSso] = useState(false);
  const ssoError = new URLSearchParams(window.location.search).get('sso_error');
  useEffect(() => {
    api<{ sso: boolean }>('GET', '/v1/session/methods').then(
      (methods) => setSso(methods.sso),
      () => setSso(false),
    );
  }, []);

  const withPasskey = async () => {
    setBusy(true);
    setError(undefined);
    try {
      const { flow, options } = await api<{
        flow: string;
        options: Parameters<typeof startAuthentication>[0]['optionsJSON'];
      }>('POST', '/v1/session/passkey/options');
      const response = await startAuthentication({ optionsJSON: options });
      await api('POST', '/v1/session/passkey', { flow, response });
      await props.onSignedIn();
    } catch (err) {
      setError(
        err instanceof ApiError
          ? err.message
          : `The passkey sign-in did not complete: ${(err as Error).message}`,
      );
    } finally {
      setBusy(false);
    }
  };

  return (
    <main className="sign-in">
      <h1>Gatehouse console</h1>
      {props.notice && (
        <p role="status" className="notice">
          {props.notice}
        </p>
      )}
      {ssoError && (
        <p role="alert" className="error">
          {ssoError}
        </p>
      )}
      <button type="button" className="primary" disabled={busy} onClick={() => void withPasskey()}>
        Sign in with a passkey
      </button>
      {sso && (
        <a className="button" href="/v1/session/oidc">
          Sign in with single sign-on
        </a>
      )}
      {error && (
        <p role="alert" className="error">
          {error}
        </p>
      )}
      <p className="hint">
        No passkey yet? Ask an admin for an enrolment link (<code>gatehouse users invite</code>).
      </p>
    </main>
  );
}
