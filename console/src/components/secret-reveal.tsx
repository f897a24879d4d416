// A new key or secret, shown exactly once: a read-only box, a copy button with a confirmation, and
// a plain warning. Dismissing it forgets the secret; the server cannot show it again.
import { useState } from 'react';
import { Button } from './ui';

export function SecretReveal({ label, secret, onDone }: { label: string; secret: string; onDone(): void }) {
  const [copied, setCopied] = useState<'no' | 'yes' | 'failed'>('no');
  async function copy() {
    try {
      await navigator.clipboard.writeText(secret);
      setCopied('yes');
    } catch {
      setCopied('failed');
    }
  }
  return (
    <section className="reveal" aria-labelledby="reveal-title">
      <h2 id="reveal-title">{label}</h2>
      <p className="warning">
        <strong>Copy this now.</strong> This is the only time it is shown: Tollgate keeps no copy it can show you again. Anyone holding it can spend your credits.
      </p>
      <label htmlFor="revealed-secret">Secret</label>
      <div className="row">
        <input id="revealed-secret" className="secret" readOnly value={secret} onFocus={(event) => event.target.select()} />
        <Button variant="primary" onPress={() => void copy()}>
          Copy
        </Button>
      </div>
      <p role="status" className="muted">
        {copied === 'yes' ? 'Copied to the clipboard.' : copied === 'failed' ? 'Copying failed: select the text and copy it yourself.' : ''}
      </p>
      <Button onPress={onDone}>I have stored it</Button>
    </section>
  );
}
