// Settings: sessions — the open leases of the user's keys on one upstream target per model; open
// one for a model (on the default key unless another is chosen) and end one early.
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useState, type FormEvent } from 'react';
import { Form } from 'react-aria-components';
import { api } from '../api/client';
import { unwrap } from '../api/problem';
import { ConfirmDialog } from '../components/confirm-dialog';
import { Button, Empty, Field, Loading, Problem, TableHead, when } from '../components/ui';

function OpenSessionForm({ onOpened }: { onOpened(): void }) {
  const [model, setModel] = useState('');
  const [keyId, setKeyId] = useState('');
  const [duration, setDuration] = useState('');
  const open = useMutation({
    // Empty fields are left out: the default key and the automation settings' duration apply.
    mutationFn: async () =>
      unwrap(
        await api.POST('/api/v1/sessions', {
          body: { model: model.trim(), ...(keyId.trim() ? { key_id: keyId.trim() } : {}), ...(duration.trim() ? { session_duration: Number(duration) } : {}) },
        }),
      ),
    onSuccess: () => {
      setModel('');
      onOpened();
    },
  });
  function submit(event: FormEvent) {
    event.preventDefault();
    open.mutate();
  }
  return (
    <Form onSubmit={submit} className="stack" aria-label="Open a session">
      <div className="grid">
        <Field label="Session model" name="session-model" value={model} onChange={setModel} isRequired />
        <Field label="Key id" name="session-key" value={keyId} onChange={setKeyId} description="Empty: your default key." />
        <Field label="Duration (seconds)" name="session-duration" type="number" value={duration} onChange={setDuration} description="Empty: your automation setting." />
      </div>
      <Problem error={open.error} />
      <Button type="submit" variant="primary" isDisabled={open.isPending}>
        Open session
      </Button>
    </Form>
  );
}

export function SessionsSection() {
  const queryClient = useQueryClient();
  const sessions = useQuery({ queryKey: ['sessions'], queryFn: async () => unwrap(await api.GET('/api/v1/sessions')) });
  const changed = () => void queryClient.invalidateQueries({ queryKey: ['sessions'] });
  const end = useMutation({
    mutationFn: async (id: string) => unwrap(await api.DELETE('/api/v1/sessions/{id}', { params: { path: { id } } })),
    onSuccess: changed,
  });
  const rows = sessions.data ?? [];
  return (
    <section className="card stack" aria-labelledby="sessions-title">
      <h2 id="sessions-title">Sessions</h2>
      <OpenSessionForm onOpened={changed} />
      {sessions.isPending ? <Loading what="sessions" /> : null}
      <Problem error={sessions.error ?? end.error} />
      {sessions.isSuccess && rows.length === 0 ? <Empty>No open sessions.</Empty> : null}
      {rows.length > 0 ? (
        <table className="table">
          <caption>Open sessions</caption>
          <TableHead columns={['Model', 'Upstream', 'Key', 'Expires', 'Failovers', 'Actions']} />
          <tbody>
            {rows.map((session) => (
              <tr key={session.id}>
                <td data-label="Model">
                  <code>{session.model}</code>
                </td>
                <td data-label="Upstream">
                  {session.provider} · <code>{session.target_model}</code>
                </td>
                <td data-label="Key">
                  <code>{session.key_id}</code>
                </td>
                <td data-label="Expires">{when(session.expires_at)}</td>
                <td data-label="Failovers">{session.failovers}</td>
                <td data-label="Actions" className="actions">
                  <ConfirmDialog trigger="End" triggerLabel={`End the session for ${session.model}`} title={`End the session for ${session.model}?`} confirm="End session" onConfirm={() => end.mutate(session.id)}>
                    <p>The next request for this model picks its upstream afresh.</p>
                  </ConfirmDialog>
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      ) : null}
    </section>
  );
}
