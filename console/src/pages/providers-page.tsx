// The chosen account's upstream providers and model aliases (the admin plane, X-Account-Id). A
// provider's API key is write-only: sent when set, never shown again (the list says only whether
// one is stored).
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useState, type FormEvent } from 'react';
import { Form } from 'react-aria-components';
import { api, asAccount } from '../api/client';
import { unwrap } from '../api/problem';
import { useAccount } from '../components/account-context';
import { ConfirmDialog } from '../components/confirm-dialog';
import { Button, Empty, Field, listOf, Loading, Problem } from '../components/ui';

function Providers({ accountId }: { accountId: string }) {
  const queryClient = useQueryClient();
  const headers = asAccount(accountId);
  const [draft, setDraft] = useState({ name: '', baseUrl: '', apiKey: '', models: '' });
  const set = (field: keyof typeof draft) => (value: string) => setDraft((d) => ({ ...d, [field]: value }));
  const providers = useQuery({ queryKey: ['providers', accountId], queryFn: async () => unwrap(await api.GET('/admin/providers', { headers })) });
  const changed = () => void queryClient.invalidateQueries({ queryKey: ['providers', accountId] });
  const create = useMutation({
    mutationFn: async () =>
      unwrap(
        await api.POST('/admin/providers', {
          headers,
          body: { name: draft.name.trim(), type: 'openai', base_url: draft.baseUrl.trim(), ...(draft.apiKey ? { api_key: draft.apiKey } : {}), ...(draft.models.trim() ? { models: listOf(draft.models) } : {}) },
        }),
      ),
    onSuccess: () => {
      setDraft({ name: '', baseUrl: '', apiKey: '', models: '' });
      changed();
    },
  });
  const remove = useMutation({ mutationFn: async (id: string) => unwrap(await api.DELETE('/admin/providers/{id}', { headers, params: { path: { id } } })), onSuccess: changed });
  function submit(event: FormEvent) {
    event.preventDefault();
    create.mutate();
  }
  const list = providers.data?.providers ?? [];
  return (
    <section className="card stack" aria-labelledby="providers-title">
      <h2 id="providers-title">Providers</h2>
      {providers.isPending ? <Loading what="providers" /> : null}
      <Problem error={providers.error ?? remove.error} />
      {providers.isSuccess && list.length === 0 ? <Empty>No providers of this account.</Empty> : null}
      <ul className="plain-list">
        {list.map((p) => (
          <li key={p.id} className="row">
            <span>
              <strong>{p.name}</strong> <code>{p.base_url}</code> <span className="muted">{p.has_secret ? 'API key stored' : 'no API key'}</span>
            </span>
            <ConfirmDialog trigger="Delete" triggerLabel={`Delete provider ${p.name}`} title={`Delete ${p.name}?`} confirm="Delete provider" onConfirm={() => remove.mutate(p.id)}>
              <p>Aliases and routes using it stop working.</p>
            </ConfirmDialog>
          </li>
        ))}
      </ul>
      <Form onSubmit={submit} className="stack" aria-label="Add an OpenAI-compatible provider">
        <div className="grid">
          <Field label="Provider name" name="provider_name" value={draft.name} onChange={set('name')} isRequired />
          <Field label="Base URL" name="base_url" type="url" value={draft.baseUrl} onChange={set('baseUrl')} isRequired description="e.g. https://api.openai.com/v1" />
          <Field label="Upstream API key" name="provider_api_key" type="password" autoComplete="off" value={draft.apiKey} onChange={set('apiKey')} description="Write-only: stored sealed, never shown again." />
          <Field label="Models" name="provider_models" value={draft.models} onChange={set('models')} description="Comma-separated. Empty: any." />
        </div>
        <Problem error={create.error} />
        <Button type="submit" isDisabled={create.isPending}>
          Add provider
        </Button>
      </Form>
    </section>
  );
}

function Aliases({ accountId }: { accountId: string }) {
  const queryClient = useQueryClient();
  const headers = asAccount(accountId);
  const [name, setName] = useState('');
  const [provider, setProvider] = useState('');
  const [model, setModel] = useState('');
  const aliases = useQuery({ queryKey: ['aliases', accountId], queryFn: async () => unwrap(await api.GET('/admin/aliases', { headers })) });
  const changed = () => void queryClient.invalidateQueries({ queryKey: ['aliases', accountId] });
  const create = useMutation({
    mutationFn: async () => unwrap(await api.POST('/admin/aliases', { headers, body: { name: name.trim(), targets: [{ provider: provider.trim(), model: model.trim() }] } })),
    onSuccess: () => {
      setName('');
      changed();
    },
  });
  const remove = useMutation({ mutationFn: async (id: string) => unwrap(await api.DELETE('/admin/aliases/{id}', { headers, params: { path: { id } } })), onSuccess: changed });
  function submit(event: FormEvent) {
    event.preventDefault();
    create.mutate();
  }
  const list = aliases.data?.aliases ?? [];
  return (
    <section className="card stack" aria-labelledby="aliases-title">
      <h2 id="aliases-title">Aliases</h2>
      {aliases.isPending ? <Loading what="aliases" /> : null}
      <Problem error={aliases.error ?? remove.error} />
      {aliases.isSuccess && list.length === 0 ? <Empty>No aliases.</Empty> : null}
      <ul className="plain-list">
        {list.map((a) => (
          <li key={a.id} className="row">
            <span>
              <strong>{a.name}</strong> → {a.targets.map((t) => `${t.provider}/${t.model}`).join(', ')} <span className="muted">({a.strategy})</span>
            </span>
            {a.account_id ? (
              <ConfirmDialog trigger="Delete" triggerLabel={`Delete alias ${a.name}`} title={`Delete ${a.name}?`} confirm="Delete alias" onConfirm={() => remove.mutate(a.id)}>
                <p>Requests naming this alias fail from now on.</p>
              </ConfirmDialog>
            ) : (
              <span className="muted">server-wide</span>
            )}
          </li>
        ))}
      </ul>
      <Form onSubmit={submit} className="row" aria-label="Add an alias">
        <Field label="Alias name" name="alias_name" value={name} onChange={setName} isRequired />
        <Field label="Target provider" name="alias_provider" value={provider} onChange={setProvider} isRequired />
        <Field label="Target model" name="alias_model" value={model} onChange={setModel} isRequired />
        <Button type="submit" isDisabled={create.isPending}>
          Add alias
        </Button>
      </Form>
      <Problem error={create.error} />
    </section>
  );
}

export function ProvidersPage() {
  const { accountId } = useAccount();
  return (
    <>
      <h1>Providers and aliases</h1>
      {accountId ? (
        <>
          <Providers accountId={accountId} />
          <Aliases accountId={accountId} />
        </>
      ) : null}
    </>
  );
}
