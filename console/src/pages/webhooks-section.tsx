// The account's webhooks (SPEC §9): add an endpoint for chosen events (its signing secret shown
// once), list them, delete one.
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useState, type FormEvent } from 'react';
import { Checkbox, CheckboxGroup, Form, Label } from 'react-aria-components';
import { api } from '../api/client';
import { unwrap } from '../api/problem';
import type { paths } from '../api/schema';
import { ConfirmDialog } from '../components/confirm-dialog';
import { SecretReveal } from '../components/secret-reveal';
import { Button, Empty, Field, Loading, Problem } from '../components/ui';

type EventType = NonNullable<paths['/api/v1/accounts/{id}/webhooks']['post']['requestBody']>['content']['application/json']['events'][number];

/** Every event the API knows, described; `satisfies` fails the typecheck when the API adds one. */
const EVENTS = {
  'key.created': 'a key was created',
  'key.revoked': 'a key was revoked',
  'key.rotated': 'a key was rotated',
  'key.expiring': 'a key expires soon',
  'key.leaked': 'a key was found leaked',
  'credits.low': 'credits run low',
  'budget.threshold': 'a budget crossed a threshold',
  'model.unpriced': 'an unpriced model was called',
} satisfies Record<EventType, string>;

export function WebhooksSection({ accountId }: { accountId: string }) {
  const queryClient = useQueryClient();
  const [url, setUrl] = useState('');
  const [events, setEvents] = useState<string[]>(['key.leaked', 'credits.low']);
  const [secret, setSecret] = useState<string | null>(null);
  const path = { params: { path: { id: accountId } } };
  const hooks = useQuery({ queryKey: ['webhooks', accountId], queryFn: async () => unwrap(await api.GET('/api/v1/accounts/{id}/webhooks', path)) });
  const changed = () => void queryClient.invalidateQueries({ queryKey: ['webhooks', accountId] });
  const create = useMutation({
    mutationFn: async () => unwrap(await api.POST('/api/v1/accounts/{id}/webhooks', { ...path, body: { url: url.trim(), events: events as EventType[] } })),
    onSuccess: (created) => {
      setSecret(created.secret);
      setUrl('');
      changed();
    },
  });
  const remove = useMutation({
    mutationFn: async (webhookId: string) => unwrap(await api.DELETE('/api/v1/accounts/{id}/webhooks/{webhook_id}', { params: { path: { id: accountId, webhook_id: webhookId } } })),
    onSuccess: changed,
  });
  function submit(event: FormEvent) {
    event.preventDefault();
    create.mutate();
  }
  const list = hooks.data?.webhooks ?? [];
  return (
    <section className="card stack" aria-labelledby="webhooks-title">
      <h2 id="webhooks-title">Webhooks</h2>
      {secret ? (
        <SecretReveal label="The webhook's signing secret" secret={secret} onDone={() => setSecret(null)} />
      ) : (
        <Form onSubmit={submit} className="stack">
          <Field label="Endpoint URL" name="webhook_url" type="url" value={url} onChange={setUrl} isRequired description="HTTPS; deliveries are signed (Standard Webhooks)." />
          <CheckboxGroup value={events} onChange={setEvents} className="checkboxes">
            <Label>Events</Label>
            {Object.entries(EVENTS).map(([type, description]) => (
              <Checkbox key={type} value={type}>
                <code>{type}</code> — {description}
              </Checkbox>
            ))}
          </CheckboxGroup>
          <Button type="submit" isDisabled={create.isPending || events.length === 0}>
            Add webhook
          </Button>
        </Form>
      )}
      <Problem error={create.error ?? remove.error ?? hooks.error} />
      {hooks.isPending ? <Loading what="webhooks" /> : null}
      {hooks.isSuccess && list.length === 0 ? <Empty>No webhooks.</Empty> : null}
      <ul className="plain-list">
        {list.map((hook) => (
          <li key={hook.id} className="row">
            <span>
              <code>{hook.url}</code> <span className="muted">{hook.events.join(', ')}</span>
            </span>
            <ConfirmDialog trigger="Delete" triggerLabel={`Delete the webhook to ${hook.url}`} title="Delete this webhook?" confirm="Delete webhook" onConfirm={() => remove.mutate(hook.id)}>
              <p>
                <code>{hook.url}</code> receives no more events.
              </p>
            </ConfirmDialog>
          </li>
        ))}
      </ul>
    </section>
  );
}
