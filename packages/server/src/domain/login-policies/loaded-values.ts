// Domain layer, login policies: values loaded once per key and kept (a caller's subject, an
// organization's roles), readable without waiting once loaded, so that a request whose every
// input is in memory is decided in the same tick. A failed load is forgotten (the next asks again).

/** Loads by key, each shared while in flight and kept once done, until deleted. */
export class LoadedValues<V> {
  private readonly loads = new Map<string, Promise<V>>();
  private readonly values = new Map<string, V>();

  /** The value of `key`, loaded with `load` unless loaded or loading already. */
  get(key: string, load: () => Promise<V>): Promise<V> {
    let loading = this.loads.get(key);
    if (!loading) {
      const started = load();
      loading = started;
      this.loads.set(key, started);
      started.then(
        (value) => {
          // Only while still current: a load deleted meanwhile must not come back.
          if (this.loads.get(key) === started) this.values.set(key, value);
        },
        () => {
          if (this.loads.get(key) === started) this.loads.delete(key);
        },
      );
    }
    return loading;
  }

  /** The value of `key` when loaded (undefined while loading, or when never asked for). */
  peek(key: string): V | undefined {
    return this.values.get(key);
  }

  /** Forgets `key` (a load in flight still answers those waiting for it, but is not kept). */
  delete(key: string): void {
    this.loads.delete(key);
    this.values.delete(key);
  }

  /** Forgets the keys that start with `prefix`. */
  deleteByPrefix(prefix: string): void {
    for (const key of this.loads.keys()) if (key.startsWith(prefix)) this.delete(key);
  }

  /** Forgets every key. */
  clear(): void {
    this.loads.clear();
    this.values.clear();
  }
}
