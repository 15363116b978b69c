/** onAppend listeners: a listener that throws is isolated from the appender and the others. */
export class Listeners {
  private readonly set = new Set<() => void>();

  add(listener: () => void): () => void {
    this.set.add(listener);
    return () => this.set.delete(listener);
  }

  fire(): void {
    for (const l of this.set) {
      try {
        l();
      } catch {
        // A waiter's failure is its own; the append already happened.
      }
    }
  }
}
