// Sign in (password or an SSO provider's button) and sign up. SSO buttons are plain links to the
// provider's start URL; a failed SSO sign-in comes back here with `?sso_error=`.
import { useQuery } from '@tanstack/react-query';
import { useState, type FormEvent } from 'react';
import { Form } from 'react-aria-components';
import { Link, Navigate, useNavigate, useSearchParams } from 'react-router';
import { problemFrom } from '../api/problem';
import { signIn } from '../api/session';
import { useSignedIn } from '../components/session-hooks';
import { Button, Field, Problem } from '../components/ui';

interface Provider {
  id: string;
  name: string;
}

/** Configured SSO providers; none while the server has no SSO (its route answers 404). */
function useSsoProviders() {
  return useQuery({
    queryKey: ['sso-providers'],
    queryFn: async (): Promise<Provider[]> => {
      const response = await fetch('/api/v1/auth/sso/providers');
      if (!response.ok) return [];
      const body = (await response.json()) as { providers?: Provider[] };
      return body.providers ?? [];
    },
  });
}

/**
 * A sign-in form's submission: runs `action`, then opens the keys page; a failure is kept to show
 * (the API's message and suggestion), and the button is disabled while it runs.
 */
function useSignInSubmit(action: () => Promise<void>) {
  const navigate = useNavigate();
  const [error, setError] = useState<unknown>(null);
  const [busy, setBusy] = useState(false);
  async function submit(event: FormEvent) {
    event.preventDefault();
    setBusy(true);
    setError(null);
    try {
      await action();
      navigate('/keys');
    } catch (problem) {
      setError(problem);
    } finally {
      setBusy(false);
    }
  }
  return { error, busy, onSubmit: (event: FormEvent) => void submit(event) };
}

export function SignInPage() {
  const signedIn = useSignedIn();
  const [params] = useSearchParams();
  const providers = useSsoProviders();
  const [email, setEmail] = useState('');
  const [password, setPassword] = useState('');
  const { error, busy, onSubmit } = useSignInSubmit(() => signIn(email, password));
  if (signedIn) return <Navigate to="/keys" replace />;
  const ssoError = params.get('sso_error');
  return (
    <main id="main" className="narrow">
      <h1>Sign in to Tollgate</h1>
      {ssoError ? <Problem error={new Error(`Single sign-on failed: ${ssoError}`)} /> : null}
      <Form onSubmit={onSubmit} className="stack">
        <Field label="Email" name="email" type="email" autoComplete="username" value={email} onChange={setEmail} isRequired />
        <Field label="Password" name="password" type="password" autoComplete="current-password" value={password} onChange={setPassword} isRequired />
        <Problem error={error} />
        <Button type="submit" variant="primary" isDisabled={busy}>
          Sign in
        </Button>
      </Form>
      {(providers.data ?? []).length > 0 ? (
        <section aria-label="Single sign-on" className="stack">
          {providers.data!.map((p) => (
            <a key={p.id} className="button button-plain" href={`/api/v1/auth/sso/${encodeURIComponent(p.id)}/start`}>
              Sign in with {p.name}
            </a>
          ))}
        </section>
      ) : null}
      <p>
        New here? <Link to="/sign-up">Create an account</Link>
      </p>
    </main>
  );
}

export function SignUpPage() {
  const signedIn = useSignedIn();
  const [name, setName] = useState('');
  const [email, setEmail] = useState('');
  const [password, setPassword] = useState('');
  const { error, busy, onSubmit } = useSignInSubmit(async () => {
    const response = await fetch('/api/v1/auth/register', {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ email, password, ...(name ? { name } : {}) }),
    });
    if (!response.ok) throw problemFrom(response.status, await response.json().catch(() => null));
    await signIn(email, password);
  });
  if (signedIn) return <Navigate to="/keys" replace />;
  return (
    <main id="main" className="narrow">
      <h1>Create your Tollgate account</h1>
      <Form onSubmit={onSubmit} className="stack">
        <Field label="Name" name="name" autoComplete="name" value={name} onChange={setName} />
        <Field label="Email" name="email" type="email" autoComplete="username" value={email} onChange={setEmail} isRequired />
        <Field label="Password" name="password" type="password" autoComplete="new-password" value={password} onChange={setPassword} isRequired description="At least 8 characters; not a common password." />
        <Problem error={error} />
        <Button type="submit" variant="primary" isDisabled={busy}>
          Sign up
        </Button>
      </Form>
      <p>
        Have an account? <Link to="/sign-in">Sign in</Link>
      </p>
    </main>
  );
}
