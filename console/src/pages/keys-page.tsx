// API keys: create (the key shown once), search and page through the list, rotate with a grace
// period, revoke after confirmation, set the default key, set or clear a key's budget.
import { useInfiniteQuery, useMutation, useQueryClient } from '@tanstack/react-query';
import { useDeferredValue, useState } from 'react';
import { SearchField, Input, Label } from 'react-aria-components';
import { api } from '../api/client';
import { fetchKeyPage } from '../api/key-pages';
import { unwrap } from '../api/problem';
import type { paths } from '../api/schema';
import { ConfirmDialog } from '../components/confirm-dialog';
import { CredentialHead } from '../components/credential-table';
import { SecretReveal } from '../components/secret-reveal';
import { Button, Empty, Loading, Problem, when } from '../components/ui';
import { KeyBudgetCell } from './key-budget-cell';
import { KeyCreateForm, type CreateKeyBody } from './key-create-form';

type Key = paths['/api/v1/auth/keys']['get']['responses'][200]['content']['application/json'][number];

function stateOf(key: Key): string {
  if (key.revoked_at && !key.is_active) return 'revoked';
  if (key.revoked_at) return 'rotating out';
  if (!key.is_active) return 'expired';
  return 'active';
}

function KeyRow({ item, onChanged, onSecret }: { item: Key; onChanged(): void; onSecret(secret: string): void }) {
  const [grace, setGrace] = useState('3600');
  const id = { params: { path: { id: item.id } } };
  const revoke = useMutation({ mutationFn: async () => unwrap(await api.DELETE('/api/v1/auth/keys/{id}', id)), onSuccess: onChanged });
  const makeDefault = useMutation({ mutationFn: async () => unwrap(await api.PUT('/api/v1/auth/keys/{id}/default', id)), onSuccess: onChanged });
  const rotate = useMutation({
    mutationFn: async () => unwrap(await api.POST('/api/v1/auth/keys/{id}/rotate', { ...id, body: { grace_period_seconds: Number(grace) } })),
    onSuccess: (created) => {
      onSecret(created.key);
      onChanged();
    },
  });
  const label = item.name ?? item.key_prefix;
  const state = stateOf(item);
  return (
    <tr>
      <td data-label="Name">
        {item.name ?? <span className="muted">unnamed</span>}
        {item.is_default ? <span className="badge">default</span> : null}
      </td>
      <td data-label="Prefix">
        <code>{item.key_prefix}</code>
      </td>
      <td data-label="Created">{when(item.created_at)}</td>
      <td data-label="Last used">{when(item.last_used_at)}</td>
      <td data-label="State">{state}</td>
      <td data-label="Budget">
        <KeyBudgetCell keyId={item.id} label={label} budget={item.budget} editable={state === 'active'} onChanged={onChanged} />
      </td>
      <td data-label="Actions" className="actions">
        {state === 'active' ? (
          <>
            {!item.is_default ? (
              <Button onPress={() => makeDefault.mutate()} aria-label={`Set default key: ${label}`}>
                Set default
              </Button>
            ) : null}
            <select aria-label={`Grace period for rotating ${label}`} value={grace} onChange={(event) => setGrace(event.target.value)}>
              <option value="0">old key stops now</option>
              <option value="3600">old key works 1 hour</option>
              <option value="86400">old key works 1 day</option>
            </select>
            <Button onPress={() => rotate.mutate()} aria-label={`Rotate ${label}`}>
              Rotate
            </Button>
          </>
        ) : null}
        {state !== 'revoked' && state !== 'expired' ? (
          <ConfirmDialog trigger="Revoke" triggerLabel={`Revoke ${label}`} title={`Revoke ${label}?`} confirm="Revoke key" onConfirm={() => revoke.mutate()}>
            <p>
              Requests with <code>{item.key_prefix}…</code> fail from now on. This cannot be undone.
            </p>
          </ConfirmDialog>
        ) : null}
        <Problem error={revoke.error ?? rotate.error ?? makeDefault.error} />
      </td>
    </tr>
  );
}

export function KeysPage() {
  const queryClient = useQueryClient();
  const [search, setSearch] = useState('');
  const deferredSearch = useDeferredValue(search);
  const [secret, setSecret] = useState<string | null>(null);
  const keys = useInfiniteQuery({
    queryKey: ['keys', deferredSearch],
    initialPageParam: null as string | null,
    queryFn: ({ pageParam }) =>
      fetchKeyPage<Key>('/api/v1/auth/keys', {
        cursor: pageParam,
        search: deferredSearch,
        pick: (body) => (Array.isArray(body) ? (body as Key[]) : ((body as { data?: Key[] }).data ?? [])),
        matches: (key, needle) => (key.name ?? '').toLowerCase().includes(needle) || key.key_prefix.toLowerCase().includes(needle),
      }),
    getNextPageParam: (last) => last.nextCursor,
  });
  const changed = () => void queryClient.invalidateQueries({ queryKey: ['keys'] });
  const create = useMutation({
    mutationFn: async (body: CreateKeyBody) => unwrap(await api.POST('/api/v1/auth/keys', { body })),
    onSuccess: (created) => {
      setSecret(created.key);
      changed();
    },
  });
  const items = keys.data?.pages.flatMap((page) => page.items) ?? [];
  return (
    <>
      <h1>API keys</h1>
      {secret ? (
        <SecretReveal label="Your new key" secret={secret} onDone={() => setSecret(null)} />
      ) : (
        <KeyCreateForm onCreate={async (body) => void (await create.mutateAsync(body).catch(() => undefined))} error={create.error} busy={create.isPending} />
      )}
      <section className="card" aria-labelledby="key-list-title">
        <h2 id="key-list-title">Your keys</h2>
        <SearchField className="field" value={search} onChange={setSearch}>
          <Label>Search by name or prefix</Label>
          <Input />
        </SearchField>
        {keys.isPending ? <Loading what="keys" /> : null}
        <Problem error={keys.error} />
        {keys.isSuccess && items.length === 0 ? <Empty>{search ? 'No key matches this search.' : 'No keys yet: create one above.'}</Empty> : null}
        {items.length > 0 ? (
          <table className="table">
            <CredentialHead extra={['Budget']} />
            <tbody>
              {items.map((item) => (
                <KeyRow key={item.id} item={item} onChanged={changed} onSecret={setSecret} />
              ))}
            </tbody>
          </table>
        ) : null}
        {keys.hasNextPage ? (
          <Button onPress={() => void keys.fetchNextPage()} isDisabled={keys.isFetchingNextPage}>
            Load more
          </Button>
        ) : null}
      </section>
    </>
  );
}
