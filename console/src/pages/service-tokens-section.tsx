// The account's service tokens (for automation on the admin plane): create (shown once), list, revoke.
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useState, type FormEvent } from 'react';
import { Form } from 'react-aria-components';
import { api } from '../api/client';
import { unwrap } from '../api/problem';
import { CredentialTable } from '../components/credential-table';
import { SecretReveal } from '../components/secret-reveal';
import { Button, Empty, Field, Loading, Problem } from '../components/ui';

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
        <CredentialTable
          items={list.map((token) => ({ ...token, prefix: token.token_prefix, active: token.is_active }))}
          revoke={{ confirm: 'Revoke token', warning: 'Automation using this token stops working now.', onRevoke: (id) => revoke.mutate(id) }}
        />
      ) : null}
    </section>
  );
}
