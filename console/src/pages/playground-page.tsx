// The playground: pick a key (your default key, recovered from the server, or one you paste) and a
// model, stream a chat completion through the gateway, and see the tokens and credits it cost.
// The key stays in this page's memory only.
import { useQuery } from '@tanstack/react-query';
import { useState, type FormEvent } from 'react';
import { Form, Radio, RadioGroup, Label } from 'react-aria-components';
import { api } from '../api/client';
import { streamChat, type StreamResult } from '../api/chat-stream';
import { unwrap } from '../api/problem';
import { Button, Field, Problem } from '../components/ui';

function useModels(key: string) {
  return useQuery({
    // Kept in memory for this page only (gcTime 0), like the key itself.
    queryKey: ['models', key],
    enabled: key.length > 0,
    gcTime: 0,
    queryFn: async () => {
      const response = await fetch('/v1/models', { headers: { authorization: `Bearer ${key}` } });
      if (!response.ok) return [];
      return ((await response.json()) as { data: Array<{ id: string }> }).data.map((m) => m.id);
    },
  });
}

export function PlaygroundPage() {
  const [source, setSource] = useState<'default' | 'pasted'>('default');
  const [pasted, setPasted] = useState('');
  const [recovered, setRecovered] = useState('');
  const [model, setModel] = useState('');
  const [prompt, setPrompt] = useState('Say hello.');
  const [output, setOutput] = useState('');
  const [result, setResult] = useState<StreamResult | null>(null);
  const [credits, setCredits] = useState<number | null>(null);
  const [error, setError] = useState<unknown>(null);
  const [busy, setBusy] = useState(false);
  const key = source === 'default' ? recovered : pasted.trim();
  const models = useModels(key);

  async function useDefaultKey() {
    setError(null);
    try {
      const found = unwrap(await api.GET('/api/v1/auth/keys/default/decrypted'));
      setRecovered(found.key);
    } catch (problem) {
      setError(problem);
    }
  }

  async function run(event: FormEvent) {
    event.preventDefault();
    setBusy(true);
    setError(null);
    setOutput('');
    setResult(null);
    setCredits(null);
    try {
      const chosenModel = model || models.data?.[0] || '';
      const streamed = await streamChat(key, chosenModel, prompt, (text) => setOutput((so) => so + text));
      setResult(streamed);
      if (streamed.requestId) {
        const record = await api.GET('/api/v1/usage/requests/{request_id}', { params: { path: { request_id: streamed.requestId } } });
        if (record.data) setCredits(record.data.data.reduce((sum, r) => sum + r.credits, 0));
      }
    } catch (problem) {
      setError(problem);
    } finally {
      setBusy(false);
    }
  }

  return (
    <>
      <h1>Playground</h1>
      <Form onSubmit={(event) => void run(event)} className="card stack">
        <RadioGroup value={source} onChange={(value) => setSource(value as 'default' | 'pasted')} className="radios">
          <Label>Key</Label>
          <Radio value="default">My default key</Radio>
          <Radio value="pasted">A key I paste</Radio>
        </RadioGroup>
        {source === 'default' ? (
          <div className="row">
            <Button onPress={() => void useDefaultKey()}>{recovered ? 'Default key loaded' : 'Load my default key'}</Button>
            {recovered ? <span className="muted">{recovered.slice(0, 12)}…</span> : null}
          </div>
        ) : (
          <Field label="API key" name="api_key" type="password" autoComplete="off" value={pasted} onChange={setPasted} />
        )}
        <div className="field">
          <label htmlFor="playground-model">Model</label>
          {/* Free text, with the models this key may call as suggestions. */}
          <input id="playground-model" list="playground-models" value={model} onChange={(event) => setModel(event.target.value)} placeholder={models.data?.[0] ?? 'e.g. gpt-4o-mini'} />
          <datalist id="playground-models">
            {(models.data ?? []).map((id) => (
              <option key={id} value={id} />
            ))}
          </datalist>
        </div>
        <Field label="Message" name="prompt" multiline value={prompt} onChange={setPrompt} isRequired />
        <Button type="submit" variant="primary" isDisabled={busy || key.length === 0}>
          {busy ? 'Streaming…' : 'Send'}
        </Button>
      </Form>
      <Problem error={error} />
      <section className="card" aria-labelledby="reply-title" aria-busy={busy}>
        <h2 id="reply-title">Reply</h2>
        <output className="reply" data-testid="playground-output">
          {output || <span className="muted">Nothing yet.</span>}
        </output>
        {result?.usage ? (
          <p data-testid="playground-usage">
            {result.usage.prompt_tokens} input tokens, {result.usage.completion_tokens} output tokens
            {credits !== null ? `, ${credits} credits charged` : ''}.
          </p>
        ) : null}
      </section>
    </>
  );
}
