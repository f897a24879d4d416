// Settings: automation — whether a request without a session opens one by itself, and how long
// sessions last. These belong to the signed-in user and follow to the keys they create.
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useState, type FormEvent } from 'react';
import { Checkbox, Form } from 'react-aria-components';
import { api } from '../api/client';
import { unwrap } from '../api/problem';
import { Button, Field, Loading, Problem, when } from '../components/ui';

interface Draft {
  enabled: boolean;
  duration: string;
}

export function AutomationSection() {
  const queryClient = useQueryClient();
  const settings = useQuery({ queryKey: ['automation'], queryFn: async () => unwrap(await api.GET('/api/v1/automation/settings')) });
  const [draft, setDraft] = useState<Draft | null>(null);
  const save = useMutation({
    mutationFn: async (d: Draft) => unwrap(await api.PUT('/api/v1/automation/settings', { body: { is_enabled: d.enabled, session_duration: Number(d.duration) } })),
    onSuccess: (saved) => {
      queryClient.setQueryData(['automation'], saved);
      setDraft(null);
    },
  });
  const values = draft ?? (settings.data ? { enabled: settings.data.is_enabled, duration: String(settings.data.session_duration) } : null);
  function submit(event: FormEvent) {
    event.preventDefault();
    if (values) save.mutate(values);
  }
  return (
    <section className="card stack" aria-labelledby="automation-title">
      <h2 id="automation-title">Automation</h2>
      {settings.isPending ? <Loading what="the automation settings" /> : null}
      <Problem error={settings.error} />
      {values && settings.data ? (
        <Form onSubmit={submit} className="stack" aria-label="Automation settings">
          <div className="checkboxes">
            <Checkbox isSelected={values.enabled} onChange={(enabled) => setDraft({ ...values, enabled })}>
              Open a session automatically for requests that have none
            </Checkbox>
          </div>
          <Field
            label="Session duration (seconds)"
            name="session_duration"
            type="number"
            value={values.duration}
            onChange={(duration) => setDraft({ ...values, duration })}
            description="From 60 (a minute) to 86400 (a day). Applies to sessions opened from now on."
            isRequired
          />
          <Problem error={save.error} />
          {save.isSuccess ? <p role="status">Automation settings saved.</p> : null}
          <p className="muted">Last changed: {when(settings.data.updated_at)}</p>
          <Button type="submit" variant="primary" isDisabled={save.isPending}>
            Save automation settings
          </Button>
        </Form>
      ) : null}
    </section>
  );
}
