// Operator: find an account, then set its rate and concurrency limits (an override per field, empty
// means the server's default) and its budget (cleared with null).
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useState, type FormEvent } from 'react';
import { Form, Input, Label, SearchField } from 'react-aria-components';
import { api } from '../api/client';
import { unwrap } from '../api/problem';
import { BudgetEditor, BudgetSummary, type BudgetInput } from '../components/budget-editor';
import { Button, Empty, Field, Loading, Problem } from '../components/ui';

type LimitName = 'rpm' | 'tpm' | 'concurrency';
const LIMITS: Array<[LimitName, string]> = [
  ['rpm', 'Requests per minute'],
  ['tpm', 'Tokens per minute'],
  ['concurrency', 'Concurrent requests'],
];

function LimitsForm({ accountId, accountName }: { accountId: string; accountName: string }) {
  const queryClient = useQueryClient();
  const path = { params: { path: { id: accountId } } };
  const limits = useQuery({ queryKey: ['operator-limits', accountId], queryFn: async () => unwrap(await api.GET('/api/v1/operator/accounts/{id}/limits', path)) });
  const [draft, setDraft] = useState<Record<LimitName, string> | null>(null);
  const save = useMutation({
    // An empty field sends null: the override is cleared and the server's default applies again.
    mutationFn: async (values: Record<LimitName, string>) =>
      unwrap(
        await api.PUT('/api/v1/operator/accounts/{id}/limits', {
          ...path,
          body: Object.fromEntries(LIMITS.map(([name]) => [name, values[name].trim() ? Number(values[name]) : null])),
        }),
      ),
    onSuccess: (saved) => {
      queryClient.setQueryData(['operator-limits', accountId], saved);
      setDraft(null);
    },
  });
  if (limits.isPending) return <Loading what="the limits" />;
  if (limits.error) return <Problem error={limits.error} />;
  const overrides = limits.data.overrides;
  const values = draft ?? { rpm: String(overrides.rpm ?? ''), tpm: String(overrides.tpm ?? ''), concurrency: String(overrides.concurrency ?? '') };
  function submit(event: FormEvent) {
    event.preventDefault();
    save.mutate(values);
  }
  return (
    <Form onSubmit={submit} className="stack" aria-label={`Limits of ${accountName}`}>
      <h3>Limits</h3>
      <div className="grid">
        {LIMITS.map(([name, label]) => (
          <Field
            key={name}
            label={label}
            name={name}
            type="number"
            value={values[name]}
            onChange={(value) => setDraft({ ...values, [name]: value })}
            description={`Empty: the server's default (${limits.data.defaults[name] ?? 'none'}). Now in force: ${limits.data[name] ?? 'none'}.`}
          />
        ))}
      </div>
      <Problem error={save.error} />
      {save.isSuccess ? <p role="status">Limits saved.</p> : null}
      <Button type="submit" variant="primary" isDisabled={save.isPending}>
        Save limits
      </Button>
    </Form>
  );
}

function AccountBudget({ accountId }: { accountId: string }) {
  const queryClient = useQueryClient();
  const path = { params: { path: { id: accountId } } };
  const budget = useQuery({ queryKey: ['operator-budget', accountId], queryFn: async () => unwrap(await api.GET('/api/v1/operator/accounts/{id}/budget', path)) });
  const save = useMutation({
    mutationFn: async (body: BudgetInput | null) => unwrap(await api.PUT('/api/v1/operator/accounts/{id}/budget', { ...path, body })),
    onSuccess: (saved) => queryClient.setQueryData(['operator-budget', accountId], saved),
  });
  if (budget.isPending) return <Loading what="the budget" />;
  if (budget.error) return <Problem error={budget.error} />;
  return (
    <div className="stack">
      <h3>Budget</h3>
      <BudgetSummary budget={budget.data.budget} />
      <BudgetEditor
        key={JSON.stringify(budget.data.budget)}
        label="Account budget"
        idPrefix={`budget-${accountId}`}
        budget={budget.data.budget}
        busy={save.isPending}
        error={save.error}
        onSave={(body) => save.mutate(body)}
      />
    </div>
  );
}

export function OperatorAccountsSection() {
  const [search, setSearch] = useState('');
  const [submitted, setSubmitted] = useState('');
  const [selected, setSelected] = useState<{ id: string; name: string } | null>(null);
  const accounts = useQuery({
    queryKey: ['operator-accounts', submitted],
    queryFn: async () => unwrap(await api.GET('/api/v1/operator/accounts', { params: { query: { ...(submitted ? { q: submitted } : {}), limit: 50 } } })),
  });
  return (
    <section className="card stack" aria-labelledby="accounts-title">
      <h2 id="accounts-title">Accounts</h2>
      <SearchField className="field" value={search} onChange={setSearch} onSubmit={(value) => setSubmitted(value)}>
        <Label>Find accounts by name (Enter to search)</Label>
        <Input />
      </SearchField>
      {accounts.isPending ? <Loading what="accounts" /> : null}
      <Problem error={accounts.error} />
      {accounts.data && accounts.data.accounts.length === 0 ? <Empty>No account matches.</Empty> : null}
      <ul className="list">
        {(accounts.data?.accounts ?? []).map((account) => (
          <li key={account.id}>
            <Button onPress={() => setSelected({ id: account.id, name: account.name })} aria-pressed={selected?.id === account.id}>
              {account.name}
            </Button>
          </li>
        ))}
      </ul>
      {selected ? (
        <div className="subcard stack" aria-label={`Account ${selected.name}`} role="region">
          <h3>{selected.name}</h3>
          <LimitsForm key={`limits-${selected.id}`} accountId={selected.id} accountName={selected.name} />
          <AccountBudget key={`budget-${selected.id}`} accountId={selected.id} />
        </div>
      ) : null}
    </section>
  );
}
