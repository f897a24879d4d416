// The "Proxy Keys" tab: the chosen account's org keys (the admin plane, /admin/keys with
// X-Account-Id), for owners and admins: create (the secret shown once), list, revoke.
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useState, type FormEvent } from 'react';
import { Form } from 'react-aria-components';
import { api, asAccount } from '../api/client';
import { unwrap } from '../api/problem';
import { useAccount } from '../components/account-context';
import { ConfirmDialog } from '../components/confirm-dialog';
import { SecretReveal } from '../components/secret-reveal';
import { Button, Empty, Field, Loading, Problem, when } from '../components/ui';

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
          <table className="table">
            <thead>
              <tr>
                <th scope="col">Name</th>
                <th scope="col">Prefix</th>
                <th scope="col">Created</th>
                <th scope="col">Last used</th>
                <th scope="col">State</th>
                <th scope="col">Actions</th>
              </tr>
            </thead>
            <tbody>
              {keys.map((key) => (
                <tr key={key.id}>
                  <td data-label="Name">{key.name}</td>
                  <td data-label="Prefix">
                    <code>{key.prefix}</code>
                  </td>
                  <td data-label="Created">{when(key.created_at)}</td>
                  <td data-label="Last used">{when(key.last_used_at)}</td>
                  <td data-label="State">{key.enabled ? 'active' : 'revoked'}</td>
                  <td data-label="Actions">
                    {key.enabled ? (
                      <ConfirmDialog trigger="Revoke" triggerLabel={`Revoke ${key.name}`} title={`Revoke ${key.name}?`} confirm="Revoke proxy key" onConfirm={() => revoke.mutate(key.id)}>
                        <p>Every service using this key stops working now. This cannot be undone.</p>
                      </ConfirmDialog>
                    ) : null}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        ) : null}
      </section>
    </>
  );
}
