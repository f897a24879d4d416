// Operator pages: find users (and their accounts) in the directory and grant credits, each grant
// sent with an Idempotency-Key so a double click or a retry never grants twice; find accounts to
// set their limits and budgets; set server-wide prices.
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useState, type FormEvent } from 'react';
import { Form, Input, Label, SearchField } from 'react-aria-components';
import { api } from '../api/client';
import { unwrap } from '../api/problem';
import { Button, Empty, Field, Loading, Problem, when } from '../components/ui';
import { OperatorAccountsSection } from './operator-accounts-section';
import { OperatorPricesSection } from './operator-prices-section';

function GrantForm({ accountId, accountName }: { accountId: string; accountName: string }) {
  const queryClient = useQueryClient();
  const [amount, setAmount] = useState('');
  const [reason, setReason] = useState('');
  // One key per intended grant: a retry of the same grant reuses it; a new grant gets a new one.
  const [idempotencyKey, setIdempotencyKey] = useState(() => crypto.randomUUID());
  const grant = useMutation({
    mutationFn: async () =>
      unwrap(
        await api.POST('/api/v1/operator/accounts/{id}/credits', {
          params: { path: { id: accountId } },
          headers: { 'Idempotency-Key': idempotencyKey },
          body: { amount: Number(amount), ...(reason.trim() ? { reason: reason.trim() } : {}) },
        }),
      ),
    onSuccess: () => {
      setAmount('');
      setReason('');
      setIdempotencyKey(crypto.randomUUID());
      void queryClient.invalidateQueries({ queryKey: ['balance', accountId] });
    },
  });
  function submit(event: FormEvent) {
    event.preventDefault();
    grant.mutate();
  }
  return (
    <Form onSubmit={submit} className="stack" aria-label={`Grant credits to ${accountName}`}>
      <div className="grid">
        <Field label="Credits (negative to debit)" name="amount" type="number" value={amount} onChange={setAmount} isRequired />
        <Field label="Reason" name="reason" value={reason} onChange={setReason} />
      </div>
      <Problem error={grant.error} />
      {grant.data ? (
        <p role="status">
          Granted {grant.data.amount} credits; the balance is now {grant.data.balance}.
        </p>
      ) : null}
      <Button type="submit" variant="primary" isDisabled={grant.isPending}>
        Grant credits
      </Button>
    </Form>
  );
}

function UserDetail({ userId }: { userId: string }) {
  const detail = useQuery({ queryKey: ['operator-user', userId], queryFn: async () => unwrap(await api.GET('/api/v1/operator/users/{id}', { params: { path: { id: userId } } })) });
  if (detail.isPending) return <Loading what="the user" />;
  if (detail.error) return <Problem error={detail.error} />;
  return (
    <section className="card" aria-label={`User ${detail.data.email}`}>
      <h2>{detail.data.email}</h2>
      <p className="muted">
        {detail.data.is_active ? 'active' : 'deactivated'} · joined {when(detail.data.created_at)}
      </p>
      {detail.data.memberships.map((m) => (
        <div key={m.account_id} className="subcard">
          <h3>
            {m.account_name} <span className="muted">({m.kind}, {m.role})</span>
          </h3>
          <GrantForm accountId={m.account_id} accountName={m.account_name} />
        </div>
      ))}
    </section>
  );
}

export function OperatorPage() {
  const [search, setSearch] = useState('');
  const [submitted, setSubmitted] = useState('');
  const [selected, setSelected] = useState<string | null>(null);
  const users = useQuery({
    queryKey: ['operator-users', submitted],
    queryFn: async () => unwrap(await api.GET('/api/v1/operator/users', { params: { query: { ...(submitted ? { q: submitted } : {}), limit: 50 } } })),
  });
  return (
    <>
      <h1>Operator</h1>
      <section className="card stack" aria-labelledby="directory-title">
        <h2 id="directory-title">Users</h2>
        <SearchField className="field" value={search} onChange={setSearch} onSubmit={(value) => setSubmitted(value)}>
          <Label>Find users by email or name (Enter to search)</Label>
          <Input />
        </SearchField>
        {users.isPending ? <Loading what="users" /> : null}
        <Problem error={users.error} />
        {users.data && users.data.users.length === 0 ? <Empty>No user matches.</Empty> : null}
        <ul className="list">
          {(users.data?.users ?? []).map((user) => (
            <li key={user.id}>
              <Button onPress={() => setSelected(user.id)} aria-pressed={selected === user.id}>
                {user.email}
              </Button>
            </li>
          ))}
        </ul>
      </section>
      {selected ? <UserDetail userId={selected} /> : null}
      <OperatorAccountsSection />
      <OperatorPricesSection />
    </>
  );
}
