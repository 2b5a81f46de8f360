/**
 * The Review tab's settings: the naming convention the review checks, each rule's level (default,
 * error, warning, note, off), and the design's suppressions with their reasons. They live in the
 * document (`settings.review`), so every change is an undoable edit, saved and shared like others.
 */

import { useId, useMemo, useState } from "react";

import type { DesignDocument } from "../document";
import { plural } from "../format";
import {
  namingPreset,
  removeSuppression,
  ruleLevel,
  setNamingPreset,
  setRuleLevel,
  suppressions,
  type Level,
} from "../model/review";
import type { Dispatch } from "./types";

export interface RuleInfo {
  code: string;
  name: string;
  severity: "error" | "warning" | "info";
  theme: string;
  summary: string;
  fixable: boolean;
  dialects: string[] | null;
}

export interface RulesInfo {
  rules: RuleInfo[];
  naming_presets: Record<string, Record<string, string>>;
}

const LEVEL_LABEL: Record<Level, string> = { error: "Error", warning: "Warning", info: "Note", off: "Off" };

/** How a preset's templates read, for its option's title. */
function describePreset(naming: Record<string, string>): string {
  const parts = [naming.index, naming.foreign_key, naming.table_number ? `${naming.table_number} tables` : null];
  return parts.filter(Boolean).join(", ") || "the design's own naming settings";
}

interface Props {
  doc: DesignDocument;
  dispatch: Dispatch;
  editable: boolean;
  rules: RulesInfo | null;
  /** A readable name for an object id (table, table.column …). */
  nameOf: (objectId: string) => string;
}

export function ReviewSettings({ doc, dispatch, editable, rules, nameOf }: Props) {
  const [filter, setFilter] = useState("");
  // The rule list is drawn only while open: closed, the settings cost nothing on each edit.
  const [open, setOpen] = useState(false);
  const ids = useId();
  const preset = namingPreset(doc);
  const suppressed = suppressions(doc);
  const review = doc.settings?.review;
  const changed = useMemo(
    () => (rules?.rules ?? []).filter((r) => ruleLevel({ format: 1, settings: { review } }, r) !== null),
    [rules, review],
  );
  const shown = useMemo(() => {
    const needle = filter.trim().toLowerCase();
    const all = rules?.rules ?? [];
    return needle
      ? all.filter((r) => `${r.code} ${r.name} ${r.summary} ${r.theme}`.toLowerCase().includes(needle))
      : all;
  }, [rules, filter]);
  const edit = (action: (d: DesignDocument) => DesignDocument) => {
    dispatch(action, { origin: "panel" });
  };

  const summary = [
    preset ? `naming: ${preset}` : null,
    changed.length ? plural(changed.length, "rule") + " changed" : null,
    suppressed.length ? plural(suppressed.length, "suppression") : null,
  ].filter(Boolean);

  return (
    <details
      className="review-settings"
      onToggle={(e) => {
        setOpen(e.currentTarget.open);
      }}
    >
      <summary>
        Review settings
        <span className="review-settings-summary">{summary.length ? summary.join(" · ") : "defaults"}</span>
      </summary>
      {!open ? null : !rules ? (
        <p className="panel-hint">Loading the rules…</p>
      ) : (
        <>
          <label className="field" htmlFor={`${ids}-naming`}>
            <span className="field-label">Naming convention</span>
            <select
              id={`${ids}-naming`}
              className="field-input"
              value={preset ?? ""}
              disabled={!editable}
              onChange={(e) => {
                const value = e.target.value;
                edit((d) => setNamingPreset(d, value || null));
              }}
            >
              <option value="">As in the design's naming settings</option>
              {Object.entries(rules.naming_presets).map(([name, naming]) => (
                <option key={name} value={name} title={describePreset(naming)}>
                  {name} — {describePreset(naming)}
                </option>
              ))}
            </select>
          </label>

          <h3 className="panel-subtitle">Suppressions</h3>
          {suppressed.length === 0 ? (
            <p className="panel-hint">None. Use “Suppress…” on a finding to accept it with a reason.</p>
          ) : (
            <ul className="suppression-list" aria-label="Suppressions">
              {suppressed.map((s, i) => (
                <li key={`${s.rule}:${s.object ?? ""}:${i}`} className="suppression">
                  <div className="suppression-text">
                    <strong>{s.rule}</strong> on {s.object ? nameOf(s.object) : "the whole design"}
                    <span className="suppression-reason">{s.reason || "(no reason: it does not apply)"}</span>
                  </div>
                  {editable && (
                    <button
                      type="button"
                      className="button button-quiet button-small"
                      aria-label={`Remove the suppression of ${s.rule} on ${s.object ? nameOf(s.object) : "the design"}`}
                      onClick={() => {
                        edit((d) => removeSuppression(d, i));
                      }}
                    >
                      Remove
                    </button>
                  )}
                </li>
              ))}
            </ul>
          )}

          <h3 className="panel-subtitle">Rules</h3>
          <input
            type="search"
            className="field-input rule-filter"
            placeholder="Filter rules (code, name, words)"
            aria-label="Filter rules"
            value={filter}
            onChange={(e) => {
              setFilter(e.target.value);
            }}
          />
          <ul className="rule-list" aria-label="Rules">
            {shown.map((r) => {
              const level = ruleLevel(doc, r);
              return (
                <li key={r.code} className={`rule-row${level ? " is-changed" : ""}`}>
                  <label className="rule-name" htmlFor={`${ids}-${r.code}`} title={r.summary}>
                    <span className="rule-code">{r.code}</span> {r.name}
                    <span className="rule-summary">{r.summary}</span>
                  </label>
                  <select
                    id={`${ids}-${r.code}`}
                    className="field-input rule-level"
                    aria-label={`Level of ${r.code} ${r.name}`}
                    value={level ?? ""}
                    disabled={!editable}
                    onChange={(e) => {
                      const value = e.target.value as Level | "";
                      edit((d) => setRuleLevel(d, r, value || null));
                    }}
                  >
                    <option value="">Default ({LEVEL_LABEL[r.severity].toLowerCase()})</option>
                    {(["error", "warning", "info", "off"] as const).map((l) => (
                      <option key={l} value={l}>
                        {LEVEL_LABEL[l]}
                      </option>
                    ))}
                  </select>
                </li>
              );
            })}
          </ul>
        </>
      )}
    </details>
  );
}
