/**
 * A comment's text box: Ctrl+Enter sends, Escape cancels, and typing @ offers the design's members
 * (arrow keys to choose, Enter or Tab to insert).
 */

import { useId, useLayoutEffect, useRef, useState, type KeyboardEvent } from "react";

import { mentionAt } from "./comments";

interface Props {
  label: string;
  submitLabel: string;
  members: readonly string[];
  initial?: string;
  placeholder?: string;
  autoFocus?: boolean;
  /** Send the text; a rejected promise keeps the text and shows the error. */
  onSubmit: (body: string) => Promise<void>;
  onCancel?: () => void;
}

export function CommentComposer({ label, submitLabel, members, initial = "", placeholder, autoFocus = false, onSubmit, onCancel }: Props) {
  const id = useId();
  const [text, setText] = useState(initial);
  const [caret, setCaret] = useState(initial.length);
  const [active, setActive] = useState(0);
  const [dismissed, setDismissed] = useState<number | null>(null);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const box = useRef<HTMLTextAreaElement>(null);
  const pendingCaret = useRef<number | null>(null);

  const mention = mentionAt(text, caret);
  const query = mention?.query.toLowerCase() ?? "";
  const options =
    mention && dismissed !== mention.start
      ? members
          .filter((m) => m.toLowerCase().includes(query))
          .sort((a, b) => Number(!a.toLowerCase().startsWith(query)) - Number(!b.toLowerCase().startsWith(query)) || a.localeCompare(b))
          .slice(0, 8)
      : [];
  const open = options.length > 0;
  const current = Math.min(active, options.length - 1);

  const insert = (username: string) => {
    if (!mention) {
      return;
    }
    const next = `${text.slice(0, mention.start)}@${username} ${text.slice(caret)}`;
    const at = mention.start + username.length + 2;
    setText(next);
    setCaret(at);
    setActive(0);
    pendingCaret.current = at;
  };

  // Put the caret after an inserted mention as soon as the new text is in the box, before the next
  // key press is handled (a later frame would move the caret back behind what was typed since).
  useLayoutEffect(() => {
    const at = pendingCaret.current;
    if (at !== null && box.current) {
      pendingCaret.current = null;
      box.current.setSelectionRange(at, at);
      box.current.focus();
    }
  });

  const send = async () => {
    const body = text.trim();
    if (!body || busy) {
      return;
    }
    setBusy(true);
    setError(null);
    try {
      await onSubmit(body);
      setText("");
      setCaret(0);
    } catch (e) {
      setError(e instanceof Error ? e.message : String(e));
    } finally {
      setBusy(false);
    }
  };

  const onKeyDown = (event: KeyboardEvent<HTMLTextAreaElement>) => {
    if (open && (event.key === "ArrowDown" || event.key === "ArrowUp")) {
      event.preventDefault();
      setActive((current + (event.key === "ArrowDown" ? 1 : options.length - 1)) % options.length);
    } else if (open && (event.key === "Enter" || event.key === "Tab") && !event.ctrlKey && !event.metaKey) {
      event.preventDefault();
      insert(options[current] ?? "");
    } else if (open && event.key === "Escape") {
      event.preventDefault();
      event.stopPropagation();
      setDismissed(mention?.start ?? null);
    } else if (event.key === "Enter" && (event.ctrlKey || event.metaKey)) {
      event.preventDefault();
      void send();
    } else if (event.key === "Escape" && onCancel) {
      event.preventDefault();
      event.stopPropagation();
      onCancel();
    }
  };

  return (
    <form
      className="comment-composer"
      onSubmit={(event) => {
        event.preventDefault();
        void send();
      }}
    >
      <label className="sr-only" htmlFor={`${id}-text`}>
        {label}
      </label>
      <div className="mention-wrap">
        <textarea
          ref={box}
          id={`${id}-text`}
          className="field-input comment-input"
          rows={3}
          value={text}
          placeholder={placeholder}
          autoFocus={autoFocus}
          role="combobox"
          aria-autocomplete="list"
          aria-expanded={open}
          aria-controls={`${id}-members`}
          aria-activedescendant={open ? `${id}-member-${current}` : undefined}
          aria-invalid={error ? true : undefined}
          aria-describedby={error ? `${id}-error` : undefined}
          onChange={(event) => {
            setText(event.target.value);
            setCaret(event.target.selectionStart);
            setActive(0);
          }}
          onSelect={(event) => {
            setCaret(event.currentTarget.selectionStart);
          }}
          onKeyDown={onKeyDown}
          onBlur={() => {
            window.setTimeout(() => {
              setDismissed(mention?.start ?? null);
            }, 150);
          }}
          onFocus={() => {
            setDismissed(null);
          }}
        />
        <ul className="mention-list" id={`${id}-members`} role="listbox" aria-label="Members" hidden={!open}>
          {options.map((m, i) => (
            <li
              key={m}
              id={`${id}-member-${i}`}
              role="option"
              aria-selected={i === current}
              className={i === current ? "is-active" : undefined}
              onMouseDown={(event) => {
                event.preventDefault();
                insert(m);
              }}
            >
              @{m}
            </li>
          ))}
        </ul>
      </div>
      {error && (
        <p className="comment-error" id={`${id}-error`} role="alert">
          {error}
        </p>
      )}
      <div className="comment-composer-actions">
        <span className="comment-tip">@ to mention · Ctrl+Enter to send</span>
        {onCancel && (
          <button type="button" className="button button-quiet button-small" onClick={onCancel}>
            Cancel
          </button>
        )}
        <button type="submit" className="button button-primary button-small" disabled={busy || !text.trim()}>
          {busy ? "Sending…" : submitLabel}
        </button>
      </div>
    </form>
  );
}
