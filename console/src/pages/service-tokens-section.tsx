// The account's service tokens (for automation on the admin plane): create (shown once), list, revoke.
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useState, type FormEvent } from 'react';
import { Form } from 'react-aria-components';
import { api } from '../api/client';
import { unwrap } from '../api/problem';
import { ConfirmDialog } from '../components/confirm-dialog';
import { SecretReveal } from '../components/secret-reveal';
import { Button, Empty, Field, Loading, Problem, when } from '../components/ui';

export function ServiceTokensSection({ accountId }: { accountId: string }) {
  const queryClient = useQueryClient();
  const [name, setName] = useState('');
  const [secret, setSecret] = useState<string | null>(null);
  const path = { params: { path: { id: accountId } } };
  const tokens = useQuery({ queryKey: ['service-tokens', accountId], queryFn: async () => unwrap(await api.GET('/api/v1/accounts/{id}/service-tokens', path)) });
  const changed = () => void queryClient.invalidateQueries({ queryKey: ['service-tokens', accountId] });
  const create = useMutation({
    mutationFn: async () => unwrap(await api.POST('/api/v1/accounts/{id}/service-tokens', { ...path, body: { name: name.trim() } })),
    onSuccess: (created) => {
      setSecret(created.token);
      setName('');
      changed();
    },
  });
  const revoke = useMutation({
    mutationFn: async (tokenId: string) => unwrap(await api.DELETE('/api/v1/accounts/{id}/service-tokens/{token_id}', { params: { path: { id: accountId, token_id: tokenId } } })),
    onSuccess: changed,
  });
  function submit(event: FormEvent) {
    event.preventDefault();
    create.mutate();
  }
  const list = tokens.data?.service_tokens ?? [];
  return (
    <section className="card stack" aria-labelledby="service-tokens-title">
      <h2 id="service-tokens-title">Service tokens</h2>
      {secret ? (
        <SecretReveal label="Your new service token" secret={secret} onDone={() => setSecret(null)} />
      ) : (
        <Form onSubmit={submit} className="row">
          <Field label="Service token name" name="service_token_name" value={name} onChange={setName} isRequired />
          <Button type="submit" isDisabled={create.isPending}>
            Create service token
          </Button>
        </Form>
      )}
      <Problem error={create.error ?? revoke.error ?? tokens.error} />
      {tokens.isPending ? <Loading what="service tokens" /> : null}
      {tokens.isSuccess && list.length === 0 ? <Empty>No service tokens.</Empty> : null}
      {list.length > 0 ? (
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
            {list.map((token) => (
              <tr key={token.id}>
                <td data-label="Name">{token.name}</td>
                <td data-label="Prefix">
                  <code>{token.token_prefix}</code>
                </td>
                <td data-label="Created">{when(token.created_at)}</td>
                <td data-label="Last used">{when(token.last_used_at)}</td>
                <td data-label="State">{token.is_active ? 'active' : 'revoked'}</td>
                <td data-label="Actions">
                  {token.is_active ? (
                    <ConfirmDialog trigger="Revoke" triggerLabel={`Revoke ${token.name}`} title={`Revoke ${token.name}?`} confirm="Revoke token" onConfirm={() => revoke.mutate(token.id)}>
                      <p>Automation using this token stops working now.</p>
                    </ConfirmDialog>
                  ) : null}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      ) : null}
    </section>
  );
}
