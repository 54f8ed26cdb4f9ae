// Keyboard shortcuts. Views register the keys they handle while mounted;
// keys typed into a text field are left alone.

type Handler = (e: KeyboardEvent) => void;
const handlers = new Map<string, Handler[]>();

/** Registers a handler for a key ("j", "?", "Escape"); returns its remover. */
export function shortcut(key: string, fn: Handler): () => void {
  const list = handlers.get(key) ?? [];
  list.push(fn);
  handlers.set(key, list);
  return () => {
    const l = handlers.get(key);
    if (l) handlers.set(key, l.filter((f) => f !== fn));
  };
}

function typing(target: EventTarget | null): boolean {
  if (!(target instanceof HTMLElement)) return false;
  return target.isContentEditable || target.matches("input, textarea, select");
}

export function startShortcuts(): void {
  document.addEventListener("keydown", (e) => {
    if (e.defaultPrevented || e.ctrlKey || e.metaKey || e.altKey) return;
    if (typing(e.target) && e.key !== "Escape") return;
    if (document.querySelector(".overlay") && e.key !== "Escape") return;
    const list = handlers.get(e.key);
    if (!list?.length) return;
    // The most recently mounted view wins.
    e.preventDefault();
    list[list.length - 1](e);
  });
}
