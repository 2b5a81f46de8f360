/** A text that turns into an input on double-click (or Enter/F2 when focused); Enter saves, Escape cancels. */

import { useEffect, useRef, useState } from "react";

interface Props {
  value: string;
  label: string;
  className?: string;
  editable: boolean;
  /** Open as an input immediately (a thing just created). */
  startEditing?: boolean;
  onStarted?: () => void;
  /** Save; return an error message to keep the input open. */
  onCommit: (value: string) => string | null | undefined;
  /** How the value shows when not editing (default: the text). */
  children?: React.ReactNode;
}

export function InlineEdit({ value, label, className, editable, startEditing, onStarted, onCommit, children }: Props) {
  const [editing, setEditing] = useState(false);
  const [draft, setDraft] = useState(value);
  const [error, setError] = useState<string | null>(null);
  const input = useRef<HTMLInputElement>(null);

  useEffect(() => {
    if (startEditing && editable) {
      setDraft(value);
      setEditing(true);
      onStarted?.();
    }
  }, [startEditing, editable, value, onStarted]);

  useEffect(() => {
    if (editing) {
      input.current?.focus();
      input.current?.select();
    }
  }, [editing]);

  const commit = () => {
    const trimmed = draft.trim();
    if (trimmed === value) {
      setEditing(false);
      setError(null);
      return;
    }
    if (!trimmed) {
      setError(`${label} cannot be empty`);
      return;
    }
    const problem = onCommit(trimmed);
    if (typeof problem === "string") {
      setError(problem);
      return;
    }
    setEditing(false);
    setError(null);
  };

  if (!editing) {
    return (
      <span
        className={className}
        title={editable ? `${value} — double-click to edit` : value}
        onDoubleClick={(event) => {
          if (editable) {
            event.stopPropagation();
            setDraft(value);
            setEditing(true);
          }
        }}
      >
        {children ?? value}
      </span>
    );
  }
  return (
    <span className={`inline-edit ${className ?? ""}`}>
      <input
        ref={input}
        className="inline-input nodrag nopan"
        aria-label={label}
        aria-invalid={error ? true : undefined}
        value={draft}
        size={Math.max(4, draft.length + 1)}
        onChange={(event) => {
          setDraft(event.target.value);
          setError(null);
        }}
        onKeyDown={(event) => {
          event.stopPropagation();
          if (event.key === "Enter") {
            commit();
          } else if (event.key === "Escape") {
            setEditing(false);
            setError(null);
          }
        }}
        onBlur={() => {
          if (error) {
            setEditing(false);
            setError(null);
          } else {
            commit();
          }
        }}
        onDoubleClick={(event) => {
          event.stopPropagation();
        }}
      />
      {error && (
        <span className="inline-error" role="alert">
          {error}
        </span>
      )}
    </span>
  );
}
