// Creating a personal key: name, expiry, allowed origins and IPs, scopes, models and a budget.
// Empty fields are left out, so the server's defaults apply.
import { useState, type FormEvent } from 'react';
import { Form } from 'react-aria-components';
import type { paths } from '../api/schema';
import { Button, Field, listOf, Problem } from '../components/ui';

export type CreateKeyBody = NonNullable<paths['/api/v1/auth/keys']['post']['requestBody']>['content']['application/json'];

interface Draft {
  name: string;
  expires: string;
  origins: string;
  ips: string;
  scopes: string;
  models: string;
  budget: string;
  period: string;
}

const EMPTY: Draft = { name: '', expires: '', origins: '', ips: '', scopes: '', models: '', budget: '', period: 'month' };

function buildBody(draft: Draft): CreateKeyBody {
  const body: Record<string, unknown> = { name: draft.name.trim() || null };
  // A date means "through the end of that day" in UTC.
  if (draft.expires) body.expires_at = new Date(`${draft.expires}T23:59:59Z`).toISOString();
  if (draft.origins.trim()) body.allowed_origins = listOf(draft.origins);
  if (draft.ips.trim()) body.allowed_ips = listOf(draft.ips);
  if (draft.scopes.trim()) body.scopes = listOf(draft.scopes);
  if (draft.models.trim()) body.models = listOf(draft.models);
  if (draft.budget.trim()) body.budget = { limit: Number(draft.budget), period: draft.period };
  return body as CreateKeyBody;
}

interface Props {
  onCreate(body: CreateKeyBody): Promise<void>;
  error: unknown;
  busy: boolean;
}

export function KeyCreateForm({ onCreate, error, busy }: Props) {
  const [draft, setDraft] = useState<Draft>(EMPTY);
  const set = (field: keyof Draft) => (value: string) => setDraft((d) => ({ ...d, [field]: value }));
  async function submit(event: FormEvent) {
    event.preventDefault();
    await onCreate(buildBody(draft));
    setDraft(EMPTY);
  }
  return (
    <Form onSubmit={(event) => void submit(event)} className="card stack" aria-labelledby="create-key-title">
      <h2 id="create-key-title">Create a key</h2>
      <Field label="Name" name="name" value={draft.name} onChange={set('name')} description="Shown in lists; the key itself is shown once." />
      <div className="grid">
        <Field label="Expires on (UTC)" name="expires" type="date" value={draft.expires} onChange={set('expires')} description="Empty: never." />
        <Field label="Budget (credits)" name="budget" type="number" value={draft.budget} onChange={set('budget')} description="Empty: no budget." />
        <div className="field">
          <label htmlFor="budget-period">Budget period</label>
          <select id="budget-period" value={draft.period} onChange={(event) => set('period')(event.target.value)}>
            <option value="day">per day</option>
            <option value="week">per week</option>
            <option value="month">per month</option>
            <option value="total">in total</option>
          </select>
        </div>
      </div>
      <details>
        <summary>Restrictions</summary>
        <div className="grid">
          <Field label="Allowed origins" name="allowed_origins" multiline value={draft.origins} onChange={set('origins')} description="One per line, e.g. https://app.example.com. Empty: any." />
          <Field label="Allowed IPs" name="allowed_ips" multiline value={draft.ips} onChange={set('ips')} description="Addresses or CIDR ranges. Empty: any." />
          <Field label="Scopes" name="scopes" multiline value={draft.scopes} onChange={set('scopes')} description="Empty: all." />
          <Field label="Models" name="models" multiline value={draft.models} onChange={set('models')} description="Models or aliases this key may call. Empty: all." />
        </div>
      </details>
      <Problem error={error} />
      <Button type="submit" variant="primary" isDisabled={busy}>
        Create key
      </Button>
    </Form>
  );
}
