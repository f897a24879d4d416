// The chosen account's budget (a spend cap per period): every member sees spent, remaining and the
// reset; owners and admins set or clear it (the API refuses the others anyway).
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { api } from '../api/client';
import { unwrap } from '../api/problem';
import { BudgetEditor, BudgetSummary, type BudgetInput } from '../components/budget-editor';
import { Loading, Problem } from '../components/ui';

export function AccountBudgetSection({ accountId, canManage }: { accountId: string; canManage: boolean }) {
  const queryClient = useQueryClient();
  const path = { params: { path: { id: accountId } } };
  const budget = useQuery({ queryKey: ['account-budget', accountId], queryFn: async () => unwrap(await api.GET('/api/v1/accounts/{id}/budget', path)) });
  const save = useMutation({
    mutationFn: async (body: BudgetInput | null) => unwrap(await api.PUT('/api/v1/accounts/{id}/budget', { ...path, body })),
    onSuccess: (saved) => queryClient.setQueryData(['account-budget', accountId], saved),
  });
  return (
    <section className="card stack" aria-labelledby="account-budget-title">
      <h2 id="account-budget-title">Budget</h2>
      {budget.isPending ? <Loading what="the budget" /> : null}
      <Problem error={budget.error} />
      {budget.data ? (
        <>
          <BudgetSummary budget={budget.data.budget} testId="account-budget" />
          {canManage ? (
            <BudgetEditor
              key={JSON.stringify(budget.data.budget)}
              label="Account budget"
              idPrefix="account-budget"
              budget={budget.data.budget}
              busy={save.isPending}
              error={save.error}
              onSave={(body) => save.mutate(body)}
            />
          ) : (
            <p className="muted">Owners and admins of this account can change it.</p>
          )}
        </>
      ) : null}
    </section>
  );
}
