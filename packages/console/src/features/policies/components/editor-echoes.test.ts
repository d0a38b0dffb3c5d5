import { describe, expect, it } from "vitest";
import { EditorEchoes } from "./editor-echoes";

describe("EditorEchoes", () => {
  it("does not undo a newer edit when a render arrives one edit behind", () => {
    const echoes = new EditorEchoes();
    echoes.note("");
    echoes.note("package a");
    // The render of the first edit arrives after the second: the document keeps the newer text.
    expect(echoes.shouldApply("", "package a")).toBe(false);
    expect(echoes.shouldApply("package a", "package a")).toBe(false);
  });

  it("applies a text set from outside, also while edits are pending", () => {
    const echoes = new EditorEchoes();
    echoes.note("package a");
    expect(echoes.shouldApply("package loaded", "package a")).toBe(true);
    // Once caught up, an older text of the editor's own is outside again (undo to it from outside).
    echoes.note("package loaded");
    expect(echoes.shouldApply("package loaded", "package loaded")).toBe(false);
    expect(echoes.shouldApply("package a", "package loaded")).toBe(true);
  });
});
