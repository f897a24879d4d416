// A key's budget in the key list: spent and remaining, and (behind a disclosure, to keep the row
// short) a form to set or clear it after creation — PATCH with `budget`, null clears it.
import { useMutation } from '@tanstack/react-query';
import { api } from '../api/client';
import { unwrap } from '../api/problem';
import { BudgetEditor, type BudgetInput, type BudgetView } from '../components/budget-editor';

export function KeyBudgetCell({ keyId, label, budget, editable, onChanged }: { keyId: string; label: string; budget: BudgetView | null; editable: boolean; onChanged(): void }) {
  const save = useMutation({
    mutationFn: async (body: BudgetInput | null) => unwrap(await api.PATCH('/api/v1/auth/keys/{id}', { params: { path: { id: keyId } }, body: { budget: body } })),
    onSuccess: onChanged,
  });
  return (
    <div className="budget-cell">
      {budget ? (
        <span>
          {budget.spent} / {budget.limit} spent, {budget.remaining} left
        </span>
      ) : (
        <span className="muted">none</span>
      )}
      {editable ? (
        <details>
          <summary aria-label={`Edit the budget of ${label}`}>Edit</summary>
          <BudgetEditor
            key={JSON.stringify(budget)}
            label={`Budget of ${label}`}
            idPrefix={`key-budget-${keyId}`}
            budget={budget}
            busy={save.isPending}
            error={save.error}
            onSave={(body) => save.mutate(body)}
          />
        </details>
      ) : null}
    </div>
  );
}
