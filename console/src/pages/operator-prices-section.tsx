// Operator: server-wide prices per model or alias (credits per million input and output tokens, per
// request, and an output-token cap) — list, set and delete. Deleting an operator price lets the
// config file's price apply again.
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useState, type FormEvent } from 'react';
import { Form } from 'react-aria-components';
import { api } from '../api/client';
import { unwrap } from '../api/problem';
import { ConfirmDialog } from '../components/confirm-dialog';
import { Button, Empty, Field, Loading, Problem, TableHead, when } from '../components/ui';

interface Draft {
  model: string;
  input: string;
  output: string;
  perRequest: string;
  maxOutput: string;
}
const EMPTY: Draft = { model: '', input: '', output: '', perRequest: '', maxOutput: '' };

function PriceForm({ onSaved }: { onSaved(): void }) {
  const [draft, setDraft] = useState<Draft>(EMPTY);
  const set = (field: keyof Draft) => (value: string) => setDraft((d) => ({ ...d, [field]: value }));
  const save = useMutation({
    // Empty fields are left out, so the server keeps what it has (or its defaults) for them.
    mutationFn: async (d: Draft) =>
      unwrap(
        await api.PUT('/api/v1/operator/prices', {
          body: {
            model: d.model.trim(),
            ...(d.input.trim() ? { input_per_mtok: Number(d.input) } : {}),
            ...(d.output.trim() ? { output_per_mtok: Number(d.output) } : {}),
            ...(d.perRequest.trim() ? { per_request: Number(d.perRequest) } : {}),
            ...(d.maxOutput.trim() ? { max_output_tokens: Number(d.maxOutput) } : {}),
          },
        }),
      ),
    onSuccess: () => {
      setDraft(EMPTY);
      onSaved();
    },
  });
  function submit(event: FormEvent) {
    event.preventDefault();
    save.mutate(draft);
  }
  return (
    <Form onSubmit={submit} className="stack" aria-label="Set a price">
      <div className="grid">
        <Field label="Model or alias" name="price-model" value={draft.model} onChange={set('model')} isRequired />
        <Field label="Credits per 1M input tokens" name="input_per_mtok" type="number" value={draft.input} onChange={set('input')} />
        <Field label="Credits per 1M output tokens" name="output_per_mtok" type="number" value={draft.output} onChange={set('output')} />
        <Field label="Credits per request" name="per_request" type="number" value={draft.perRequest} onChange={set('perRequest')} />
        <Field label="Max output tokens" name="max_output_tokens" type="number" value={draft.maxOutput} onChange={set('maxOutput')} description="Caps the reserve per request. Empty: unchanged." />
      </div>
      <Problem error={save.error} />
      {save.isSuccess ? <p role="status">Price saved.</p> : null}
      <Button type="submit" variant="primary" isDisabled={save.isPending}>
        Save price
      </Button>
    </Form>
  );
}

export function OperatorPricesSection() {
  const queryClient = useQueryClient();
  const prices = useQuery({ queryKey: ['operator-prices'], queryFn: async () => unwrap(await api.GET('/api/v1/operator/prices')) });
  const changed = () => void queryClient.invalidateQueries({ queryKey: ['operator-prices'] });
  const remove = useMutation({
    mutationFn: async (target: { model?: string; route?: string }) => unwrap(await api.DELETE('/api/v1/operator/prices', { params: { query: target } })),
    onSuccess: changed,
  });
  const rows = prices.data?.prices ?? [];
  return (
    <section className="card stack" aria-labelledby="prices-title">
      <h2 id="prices-title">Prices</h2>
      <PriceForm onSaved={changed} />
      {prices.isPending ? <Loading what="prices" /> : null}
      <Problem error={prices.error ?? remove.error} />
      {prices.isSuccess && rows.length === 0 ? <Empty>No prices: requests cost what the routes say.</Empty> : null}
      {rows.length > 0 ? (
        <table className="table">
          <caption>Prices in force</caption>
          <TableHead columns={['Model or route', 'Input / 1M', 'Output / 1M', 'Per request', 'Max output', 'Source', 'Actions']} />
          <tbody>
            {rows.map((price) => {
              const target = price.model ?? `route ${price.route ?? ''}`;
              return (
                <tr key={`${price.source}-${target}`}>
                  <td data-label="Model or route">
                    <code>{target}</code>
                  </td>
                  <td data-label="Input / 1M">{price.input_per_mtok}</td>
                  <td data-label="Output / 1M">{price.output_per_mtok}</td>
                  <td data-label="Per request">{price.per_request}</td>
                  <td data-label="Max output">{price.max_output_tokens ?? '—'}</td>
                  <td data-label="Source">
                    {price.source}
                    {price.updated_at ? <span className="muted"> · {when(price.updated_at)}</span> : null}
                  </td>
                  <td data-label="Actions" className="actions">
                    {price.source === 'operator' ? (
                      <ConfirmDialog trigger="Delete" triggerLabel={`Delete the price of ${target}`} title={`Delete the price of ${target}?`} confirm="Delete price" onConfirm={() => remove.mutate(price.model ? { model: price.model } : { route: price.route! })}>
                        <p>The config file's price (or the route's own cost) applies again.</p>
                      </ConfirmDialog>
                    ) : null}
                  </td>
                </tr>
              );
            })}
          </tbody>
        </table>
      ) : null}
    </section>
  );
}
