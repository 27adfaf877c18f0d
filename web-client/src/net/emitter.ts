// A tiny typed event emitter: `on` returns its own unsubscribe function, which fits hooks.

export class Emitter<Events extends Record<string, unknown>> {
  private handlers = new Map<keyof Events, Set<(payload: never) => void>>();

  on<K extends keyof Events>(name: K, handler: (payload: Events[K]) => void): () => void {
    let set = this.handlers.get(name);
    if (!set) {
      set = new Set();
      this.handlers.set(name, set);
    }
    set.add(handler as (payload: never) => void);
    return () => this.off(name, handler);
  }

  once<K extends keyof Events>(name: K, handler: (payload: Events[K]) => void): () => void {
    const off = this.on(name, (payload) => {
      off();
      handler(payload);
    });
    return off;
  }

  off<K extends keyof Events>(name: K, handler: (payload: Events[K]) => void): void {
    this.handlers.get(name)?.delete(handler as (payload: never) => void);
  }

  emit<K extends keyof Events>(name: K, payload: Events[K]): void {
    // A copy: a handler may unsubscribe itself while we loop.
    for (const handler of [...(this.handlers.get(name) ?? [])]) {
      try {
        (handler as (payload: Events[K]) => void)(payload);
      } catch (err) {
        // One broken listener must not stop the others, nor the connection.
        console.error(err);
      }
    }
  }

  clear(): void {
    this.handlers.clear();
  }
}
