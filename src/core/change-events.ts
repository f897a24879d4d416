// "This thing changed" notifications by id, heard by whoever subscribed on this node (a cache that
// forgets it, the Redis bus that tells the other nodes). Listeners run in the order they subscribed.
export type ChangeListener = (id: string) => void;

export class ChangeEvents {
  private readonly listeners = new Set<ChangeListener>();

  /** Subscribes; returns the unsubscribe. */
  onChanged(listener: ChangeListener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  changed(id: string): void {
    for (const listener of this.listeners) listener(id);
  }
}
