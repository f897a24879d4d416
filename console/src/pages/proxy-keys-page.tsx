// The "Proxy Keys" tab: the chosen account's org keys (the admin plane, /admin/keys with
// X-Account-Id), for owners and admins: create (the secret shown once), list, revoke.
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useState, type FormEvent } from 'react';
import { Form } from 'react-aria-components';
import { api, asAccount } from '../api/client';
import { unwrap } from '../api/problem';
import { useAccount } from '../components/account-context';
import { CredentialTable } from '../components/credential-table';
import { SecretReveal } from '../components/secret-reveal';
import { Button, Empty, Field, Loading, Problem } from '../components/ui';

export function ProxyKeysPage() {
  const { accountId } = useAccount();
  const queryClient = useQueryClient();
  const [name, setName] = useState('');
  const [secret, setSecret] = useState<string | null>(null);
  const headers = asAccount(accountId ?? '');
  const list = useQuery({
    queryKey: ['proxy-keys', accountId],
    enabled: accountId !== null,
    queryFn: async () => unwrap(await api.GET('/admin/keys', { headers })),
  });
  const changed = () => void queryClient.invalidateQueries({ queryKey: ['proxy-keys', accountId] });
  const create = useMutation({
    mutationFn: async () => unwrap(await api.POST('/admin/keys', { headers, body: { name: name.trim() } })),
    onSuccess: (created) => {
      setSecret(created.secret);
      setName('');
      changed();
    },
  });
  const revoke = useMutation({
    mutationFn: async (id: string) => unwrap(await api.DELETE('/admin/keys/{id}', { headers, params: { path: { id } } })),
    onSuccess: changed,
  });
  function submit(event: FormEvent) {
    event.preventDefault();
    create.mutate();
  }
  const keys = list.data?.keys ?? [];
  return (
    <>
      <h1>Proxy Keys</h1>
      <p className="muted">Keys that belong to the account rather than to a person: for services and shared deployments.</p>
      {secret ? (
        <SecretReveal label="Your new proxy key" secret={secret} onDone={() => setSecret(null)} />
      ) : (
        <Form onSubmit={submit} className="card stack">
          <h2>Create a proxy key</h2>
          <Field label="Proxy key name" name="name" value={name} onChange={setName} isRequired />
          <Problem error={create.error} />
          <Button type="submit" variant="primary" isDisabled={create.isPending}>
            Create proxy key
          </Button>
        </Form>
      )}
      <section className="card" aria-labelledby="proxy-list-title">
        <h2 id="proxy-list-title">The account's proxy keys</h2>
        {list.isPending ? <Loading what="proxy keys" /> : null}
        <Problem error={list.error ?? revoke.error} />
        {list.isSuccess && keys.length === 0 ? <Empty>No proxy keys yet.</Empty> : null}
        {keys.length > 0 ? (
          <CredentialTable
            items={keys.map((key) => ({ ...key, active: key.enabled }))}
            revoke={{ confirm: 'Revoke proxy key', warning: 'Every service using this key stops working now. This cannot be undone.', onRevoke: (id) => revoke.mutate(id) }}
          />
        ) : null}
      </section>
    </>
  );
}
