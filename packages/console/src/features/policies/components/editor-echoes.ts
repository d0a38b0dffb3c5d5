// Policies, component support: tells the texts an editor reported as its own (which may come back to
// it late, from a render that started before a newer edit) from texts set from outside (a file
// loaded, a saved version opened). A controlled editor that applied every `value` different from
// its document would undo the newer edit whenever a render caught up one edit behind: typing
// quickly on a busy machine lost keystrokes, and a draft inserted at once could be cut short.

/** The texts an editor reported since its `value` last caught up with its document. */
export class EditorEchoes {
  private readonly texts = new Set<string>();

  /** Notes a text the editor reported (through its onChange). */
  note(text: string): void {
    this.texts.add(text);
  }

  /**
   * Whether a `value` from a render should replace the editor's document `doc`: not when it is the
   * document (caught up), nor when the editor reported it itself (an older edit); otherwise yes.
   */
  shouldApply(value: string, doc: string): boolean {
    if (value === doc) {
      this.texts.clear();
      return false;
    }
    if (this.texts.has(value)) return false;
    this.texts.clear();
    return true;
  }
}
