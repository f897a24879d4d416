// A budget (a credit limit per day, week, month or in total) as the API reports it — spent, remaining
// and when it resets — and a form to set or clear it. Shared by the operator's, the account's and
// the key's budgets: the caller says where to save (null clears the budget).
import { useState, type FormEvent } from 'react';
import { Form } from 'react-aria-components';
import { Button, Field, Problem, when } from './ui';

export type BudgetPeriod = 'day' | 'week' | 'month' | 'total';
export interface BudgetView {
  limit: number;
  period: BudgetPeriod;
  spent: number;
  remaining: number;
  resets_at: string | null;
}
export interface BudgetInput {
  limit: number;
  period: BudgetPeriod;
}

const PERIODS: Array<[BudgetPeriod, string]> = [
  ['day', 'per day'],
  ['week', 'per week'],
  ['month', 'per month'],
  ['total', 'in total'],
];

export function BudgetSummary({ budget, testId }: { budget: BudgetView | null; testId?: string }) {
  if (!budget) return <p className="muted" data-testid={testId}>No budget: spending is limited by the credit balance only.</p>;
  const period = PERIODS.find(([value]) => value === budget.period)?.[1] ?? budget.period;
  return (
    <p data-testid={testId}>
      {budget.spent} of {budget.limit} credits spent {period}; {budget.remaining} remaining
      {budget.resets_at ? `; resets ${when(budget.resets_at)}` : ''}.
    </p>
  );
}

interface EditorProps {
  /** Names the form and its fields, e.g. "Account budget". */
  label: string;
  /** An id prefix unique on the page (the period select needs its own id). */
  idPrefix: string;
  budget: BudgetView | null;
  busy: boolean;
  error: unknown;
  onSave(body: BudgetInput | null): void;
}

export function BudgetEditor({ label, idPrefix, budget, busy, error, onSave }: EditorProps) {
  const [limit, setLimit] = useState(budget ? String(budget.limit) : '');
  const [period, setPeriod] = useState<BudgetPeriod>(budget?.period ?? 'month');
  function submit(event: FormEvent) {
    event.preventDefault();
    onSave({ limit: Number(limit), period });
  }
  return (
    <Form onSubmit={submit} className="stack" aria-label={label}>
      <div className="grid">
        <Field label={`${label} (credits)`} name={`${idPrefix}-limit`} type="number" value={limit} onChange={setLimit} isRequired />
        <div className="field">
          <label htmlFor={`${idPrefix}-period`}>{`${label} period`}</label>
          <select id={`${idPrefix}-period`} value={period} onChange={(event) => setPeriod(event.target.value as BudgetPeriod)}>
            {PERIODS.map(([value, text]) => (
              <option key={value} value={value}>
                {text}
              </option>
            ))}
          </select>
        </div>
      </div>
      <Problem error={error} />
      <div className="row">
        <Button type="submit" variant="primary" isDisabled={busy}>
          {`Save ${label.toLowerCase()}`}
        </Button>
        {budget ? (
          <Button variant="danger" isDisabled={busy} onPress={() => onSave(null)}>
            {`Clear ${label.toLowerCase()}`}
          </Button>
        ) : null}
      </div>
    </Form>
  );
}
