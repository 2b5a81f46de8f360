/** Labelled form fields for the inspector and the panels. Text fields keep a draft and commit on Enter or blur. */

import { useEffect, useId, useState } from "react";

export function TextField({
  label,
  value,
  onCommit,
  disabled = false,
  multiline = false,
  placeholder,
  mono = false,
  validate,
  clearOnCommit = false,
}: {
  clearOnCommit?: boolean;
  label: string;
  value: string;
  onCommit: (value: string) => void;
  disabled?: boolean;
  multiline?: boolean;
  placeholder?: string;
  mono?: boolean;
  validate?: (value: string) => string | null;
}) {
  const id = useId();
  const [draft, setDraft] = useState(value);
  const [error, setError] = useState<string | null>(null);
  useEffect(() => {
    setDraft(value);
    setError(null);
  }, [value]);
  const commit = () => {
    if (draft === value) {
      return;
    }
    const problem = validate?.(draft) ?? null;
    setError(problem);
    if (!problem) {
      onCommit(draft);
      if (clearOnCommit) {
        setDraft("");
      }
    }
  };
  const common = {
    id,
    className: `field-input${mono ? " mono" : ""}`,
    value: draft,
    disabled,
    placeholder,
    "aria-invalid": error ? true : undefined,
    "aria-describedby": error ? `${id}-error` : undefined,
    onBlur: commit,
  };
  return (
    <div className="field">
      <label htmlFor={id} className="field-label">
        {label}
      </label>
      {multiline ? (
        <textarea
          {...common}
          rows={2}
          onChange={(e) => {
            setDraft(e.target.value);
          }}
        />
      ) : (
        <input
          {...common}
          onChange={(e) => {
            setDraft(e.target.value);
          }}
          onKeyDown={(e) => {
            if (e.key === "Enter") {
              commit();
            } else if (e.key === "Escape") {
              setDraft(value);
              setError(null);
            }
          }}
        />
      )}
      {error && (
        <p className="field-error" id={`${id}-error`} role="alert">
          {error}
        </p>
      )}
    </div>
  );
}

export function SelectField<T extends string>({
  label,
  value,
  options,
  onChange,
  disabled = false,
  placeholder,
}: {
  label: string;
  value: T;
  options: readonly { value: T; label: string }[];
  onChange: (value: T) => void;
  disabled?: boolean;
  /** An empty first option ("Choose…"), shown while nothing is chosen (value ""). */
  placeholder?: string;
}) {
  const id = useId();
  return (
    <div className="field">
      <label htmlFor={id} className="field-label">
        {label}
      </label>
      <select
        id={id}
        className="field-input"
        value={value}
        disabled={disabled}
        onChange={(e) => {
          onChange(e.target.value as T);
        }}
      >
        {placeholder !== undefined && value === "" && <option value="">{placeholder}</option>}
        {options.map((o) => (
          <option key={o.value} value={o.value}>
            {o.label}
          </option>
        ))}
      </select>
    </div>
  );
}

export function CheckField({
  label,
  checked,
  onChange,
  disabled = false,
  hint,
}: {
  label: string;
  checked: boolean;
  onChange: (checked: boolean) => void;
  disabled?: boolean;
  hint?: string;
}) {
  const id = useId();
  return (
    <div className="field field-check">
      <input
        id={id}
        type="checkbox"
        checked={checked}
        disabled={disabled}
        onChange={(e) => {
          onChange(e.target.checked);
        }}
      />
      <label htmlFor={id}>{label}</label>
      {hint && <span className="field-hint">{hint}</span>}
    </div>
  );
}

/** "a, b, c" ⇄ ["a", "b", "c"]. */
export function splitList(text: string): string[] {
  return text
    .split(",")
    .map((s) => s.trim())
    .filter(Boolean);
}

export function numberOrNull(text: string): number | null {
  const n = Number(text.replace(/[_\s,]/g, ""));
  return text.trim() && Number.isFinite(n) ? n : null;
}
