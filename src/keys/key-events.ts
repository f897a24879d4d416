// Key change notifications: revocations, rotations and setting changes. Listeners (the data
// plane's key cache) drop the key at once on this node; the Redis bus fans the same event out to
// every other node.
export type KeyChangeListener = (keyId: string) => void;

export class KeyEvents {
  private readonly listeners = new Set<KeyChangeListener>();

  onChanged(listener: KeyChangeListener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  changed(keyId: string): void {
    for (const listener of this.listeners) listener(keyId);
  }
}
