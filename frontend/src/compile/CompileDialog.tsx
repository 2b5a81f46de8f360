/**
 * The Compile dialog: choose targets and options, start a compile of the saved revision, watch its
 * progress live, download the bundle, and list the design's past bundles.
 *
 * Progress comes from the design socket's `job.progress` frames (live/events.ts). The job is also
 * polled (GET /api/jobs/{id}): every 2 s while the socket is down, and every 5 s as a safety net
 * while it is up, so a lost frame never leaves the bar stuck. Only editors and owners may start or
 * retry a compile (the API checks it too); everyone who can open the design may download.
 */

import { useCallback, useEffect, useRef, useState, type Dispatch, type SetStateAction } from "react";

import { ApiError, type ApiClient } from "../api";
import { canEdit, type EditorConfig } from "../config";
import { Dialog } from "../components/Dialog";
import { Icon } from "../components/Icon";
import { isConnected, onConnection, subscribe, type ServerEvent } from "../live/events";
import {
  applyEvent,
  formatSize,
  formatWhen,
  getJob,
  isFinished,
  listJobs,
  mergePoll,
  retryJob,
  startCompile,
  STATE_LABEL,
  TARGETS,
  type Job,
  type Target,
} from "./jobs";
import "./compile.css";

/** Where the editor's own save is: compile the saved revision, so wait while edits are on their way. */
export type SaveState = "saved" | "pending" | "saving" | "error" | "offline";

interface Props {
  client: ApiClient;
  config: EditorConfig;
  /** The revision the bundle is compiled from (the last saved one). */
  revision: number;
  /** The editor's save state; while edits are pending the compile waits for them. */
  saveState?: SaveState;
  onClose: () => void;
}

const POLL_OFFLINE_MS = 2000;
const POLL_ONLINE_MS = 5000;
const STATUSES = ["draft", "in review", "approved"];

function message(error: unknown): string {
  if (error instanceof ApiError && error.status === 403) {
    return "Only editors and owners can compile this design.";
  }
  return error instanceof Error ? error.message : String(error);
}

/** Watch one job: live events, polling as the fallback; returns the latest view of it. */
function useWatchedJob(client: ApiClient, initial: Job | null): [Job | null, Dispatch<SetStateAction<Job | null>>] {
  const [job, setJob] = useState<Job | null>(initial);
  const id = job?.id ?? null;
  const finished = job ? isFinished(job) : true;

  // A worker may report steps before the request that started the job has answered with its id:
  // the last event of every job is kept, and applied once the job is known.
  const lastEvents = useRef(new Map<number, ServerEvent>());
  useEffect(
    () =>
      subscribe("job.progress", (event) => {
        if (typeof event.job === "number") {
          lastEvents.current.set(event.job, event);
        }
      }),
    [],
  );
  useEffect(() => {
    const early = id === null ? undefined : lastEvents.current.get(id);
    if (early) {
      setJob((current) => (current ? applyEvent(current, early) : current));
    }
  }, [id]);

  useEffect(() => {
    if (id === null || finished) {
      return;
    }
    let stopped = false;
    let timer: number | undefined;
    const refresh = () => {
      getJob(client, id)
        .then((fresh) => {
          if (!stopped) {
            setJob((current) => (current?.id === fresh.id ? mergePoll(current, fresh) : current));
          }
        })
        .catch(() => {
          // A failed poll is retried on the next tick; the bar keeps its last known state.
        });
    };
    const schedule = () => {
      window.clearTimeout(timer);
      timer = window.setTimeout(
        () => {
          refresh();
          schedule();
        },
        isConnected() ? POLL_ONLINE_MS : POLL_OFFLINE_MS,
      );
    };
    const unsubscribe = subscribe("job.progress", (event) => {
      if (event.job !== id) {
        return;
      }
      setJob((current) => (current ? applyEvent(current, event) : current));
    });
    const unlisten = onConnection((up) => {
      if (!up) {
        refresh();
      }
      schedule();
    });
    schedule();
    return () => {
      stopped = true;
      window.clearTimeout(timer);
      unsubscribe();
      unlisten();
    };
  }, [client, id, finished]);

  // A job finished by an event lacks its download link, size, warnings and whether it may be
  // retried: read the finished job once.
  const incomplete = job !== null && ((job.state === "succeeded" && !job.download_url) || (job.state === "failed" && !job.retryable));
  useEffect(() => {
    if (id === null || !incomplete) {
      return;
    }
    let stopped = false;
    getJob(client, id)
      .then((fresh) => {
        if (!stopped) {
          setJob((current) => (current?.id === fresh.id ? fresh : current));
        }
      })
      .catch(() => {
        // The card still shows the state the event gave; the list below has the link once it reloads.
      });
    return () => {
      stopped = true;
    };
  }, [client, id, incomplete]);

  return [job, setJob];
}

export function CompileDialog({ client, config, revision, saveState = "saved", onClose }: Props) {
  const editable = canEdit(config.role);
  const [targets, setTargets] = useState<ReadonlySet<Target>>(new Set(TARGETS.map((t) => t.id)));
  const [erd, setErd] = useState(true);
  const [migrations, setMigrations] = useState(true);
  const [status, setStatus] = useState("draft");
  const [starting, setStarting] = useState(false);
  const [startError, setStartError] = useState<string | null>(null);
  const [jobs, setJobs] = useState<Job[] | null>(null);
  const [listError, setListError] = useState<string | null>(null);
  const [job, setJob] = useWatchedJob(client, null);
  const startingRef = useRef(false);
  const knownIds = useRef<Set<number>>(new Set());
  const actionRef = useRef<HTMLDivElement>(null);
  const startRef = useRef<HTMLButtonElement>(null);
  const closeRef = useRef<HTMLButtonElement>(null);

  const reload = useCallback(() => {
    listJobs(client, config.designId)
      .then((list) => {
        setJobs(list);
        setListError(null);
        for (const j of list) {
          knownIds.current.add(j.id);
        }
      })
      .catch((e: unknown) => {
        setListError(message(e));
      });
  }, [client, config.designId]);

  // The past bundles; a compile still running when the dialog opens is the one on show.
  useEffect(() => {
    let cancelled = false;
    listJobs(client, config.designId)
      .then((list) => {
        if (cancelled) {
          return;
        }
        setJobs(list);
        for (const j of list) {
          knownIds.current.add(j.id);
        }
        const running = list.find((j) => !isFinished(j) && !j.retryable);
        if (running) {
          setJob(running);
        }
      })
      .catch((e: unknown) => {
        if (!cancelled) {
          setListError(message(e));
        }
      });
    return () => {
      cancelled = true;
    };
  }, [client, config.designId, setJob]);

  // Progress of every job in the list, and of the job being started before its POST answers
  // (with eager Celery the compile runs inside that request, so its frames come first).
  useEffect(
    () =>
      subscribe("job.progress", (event) => {
        if (typeof event.job !== "number") {
          return;
        }
        setJobs((list) => list?.map((j) => applyEvent(j, event)) ?? list);
        if (startingRef.current && !knownIds.current.has(event.job)) {
          const id = event.job;
          knownIds.current.add(id);
          setJob(applyEvent(placeholder(id, revision, [...targets], { erd, migrations, status }), event));
        }
      }),
    [revision, targets, erd, migrations, status, setJob],
  );

  // When the watched job ends, refresh the list.
  const state = job?.state;
  useEffect(() => {
    if (state === "succeeded" || state === "failed") {
      reload();
    }
  }, [state, reload]);

  // Once its Download (or Retry) is on screen, put focus there, unless the person has moved on: the
  // Compile button they pressed was disabled while the job ran.
  const next = job && isFinished(job) && (job.download_url || job.state === "failed") ? `${job.id}:${job.attempt}:${job.state}` : null;
  useEffect(() => {
    if (next === null) {
      return;
    }
    const active = document.activeElement;
    if (!active || active === document.body || active === startRef.current || (active as HTMLButtonElement).disabled) {
      actionRef.current?.querySelector<HTMLElement>("a, button")?.focus();
    }
  }, [next]);

  const saving = saveState === "pending" || saveState === "saving";
  const running = starting || (job !== null && !isFinished(job));

  // showModal focuses the first control (Close). An editor starts on Compile instead, as soon as it
  // is enabled (it waits for a save in flight). A disabled button loses focus to the page, so each
  // time it comes back it takes focus again if nothing in the dialog has it.
  const startDisabled = running || saving || targets.size === 0;
  const autoFocused = useRef(false);
  useEffect(() => {
    if (startDisabled) {
      return;
    }
    // After showModal has placed its focus (a timeout, whatever the order of effects). Until the
    // dialog is open its button cannot take focus, so this tries again on the next frames; only a
    // focus that took counts as done.
    let timer = 0;
    let tries = 0;
    const attempt = () => {
      const button = startRef.current;
      const dialog = button?.closest("dialog");
      if (!button || !dialog?.open) {
        tries += 1;
        if (tries < 50) {
          timer = window.setTimeout(attempt, 20);
        }
        return;
      }
      const active = document.activeElement;
      // A control in the dialog has focus (the <dialog> itself takes it when a focused button is disabled).
      const inside = !!active && active !== dialog && dialog.contains(active);
      if (!inside || (!autoFocused.current && active === closeRef.current)) {
        button.focus();
      }
      autoFocused.current = document.activeElement === button || autoFocused.current;
    };
    timer = window.setTimeout(attempt, 0);
    return () => {
      window.clearTimeout(timer);
    };
  }, [startDisabled]);

  const start = () => {
    if (targets.size === 0 || running || saving) {
      return;
    }
    setStarting(true);
    startingRef.current = true;
    setStartError(null);
    startCompile(client, config.designId, {
      targets: TARGETS.map((t) => t.id).filter((t) => targets.has(t)),
      options: { erd, migrations, status },
      // After a failed save the revision on hand may be stale: the server then takes its latest.
      ...(saveState === "saved" ? { revision } : {}),
    })
      .then((started) => {
        knownIds.current.add(started.id);
        // Its first events may have come before this answer: keep what they said.
        setJob((current) => (current?.id === started.id ? mergePoll(current, started) : started));
        reload();
      })
      .catch((e: unknown) => {
        setStartError(message(e));
        setJob(null);
      })
      .finally(() => {
        startingRef.current = false;
        setStarting(false);
      });
  };

  const retry = (target: Job) => {
    setStartError(null);
    retryJob(client, target.id)
      .then((again) => {
        setJob((current) => (current?.id === again.id ? mergePoll(current, again) : again));
        reload();
      })
      .catch((e: unknown) => {
        setStartError(message(e));
      });
  };

  const toggle = (t: Target) => {
    setTargets((prev) => {
      const next = new Set(prev);
      if (next.has(t)) {
        next.delete(t);
      } else {
        next.add(t);
      }
      return next;
    });
  };

  return (
    <Dialog title="Compile a bundle" onClose={onClose} className="compile-dialog">
      <div className="dialog-heading">
        <h2 className="dialog-title">Compile a bundle</h2>
        <button type="button" className="button button-quiet button-small" onClick={onClose} ref={closeRef}>
          Close
        </button>
      </div>
      <p className="dialog-text">
        One zip with everything a team needs to build and run the database: DDL per engine, ORM models, the data
        dictionary, the index strategy, the design document, the ERD and migrations.
      </p>

      {editable ? (
        <form
          className="compile-form"
          onSubmit={(event) => {
            event.preventDefault();
            start();
          }}
        >
          <div className="compile-options">
            <fieldset className="fieldset">
              <legend>Schemas</legend>
              {TARGETS.map((t) => (
                <label key={t.id} className="field field-check">
                  <input
                    type="checkbox"
                    name="target"
                    value={t.id}
                    checked={targets.has(t.id)}
                    onChange={() => {
                      toggle(t.id);
                    }}
                  />
                  {t.label}
                </label>
              ))}
            </fieldset>
            <fieldset className="fieldset">
              <legend>Include</legend>
              <label className="field field-check">
                <input
                  type="checkbox"
                  checked={erd}
                  onChange={(e) => {
                    setErd(e.target.checked);
                  }}
                />
                ERD images (SVG and PNG)
              </label>
              <label className="field field-check">
                <input
                  type="checkbox"
                  checked={migrations}
                  onChange={(e) => {
                    setMigrations(e.target.checked);
                  }}
                />
                Alembic migrations
              </label>
              <label className="field compile-status">
                <span className="field-label">Document status</span>
                <select
                  className="field-input"
                  value={status}
                  onChange={(e) => {
                    setStatus(e.target.value);
                  }}
                >
                  {STATUSES.map((s) => (
                    <option key={s} value={s}>
                      {s[0]?.toUpperCase()}
                      {s.slice(1)}
                    </option>
                  ))}
                </select>
              </label>
            </fieldset>
          </div>
          {targets.size === 0 && (
            <p className="field-error" role="alert">
              Choose at least one schema.
            </p>
          )}
          <div className="compile-start">
            <span className="compile-start-note">
              {saving
                ? "Saving your latest edits first…"
                : saveState === "error" || saveState === "offline"
                  ? "Your latest edits are not saved; this compiles the last saved revision."
                  : `Compiles revision ${revision}, as last saved.`}
            </span>
            <button
              type="submit"
              className="button button-primary"
              disabled={startDisabled}
              ref={startRef}
            >
              <Icon name="compile" size={16} />
              {starting ? "Starting…" : running ? "Compiling…" : saveState === "saved" ? `Compile revision ${revision}` : "Compile"}
            </button>
          </div>
        </form>
      ) : (
        <p className="compile-note">
          Only editors and owners can start a compile. You can download the bundles compiled so far below.
        </p>
      )}

      {startError && (
        <p className="compile-error" role="alert">
          {startError}
        </p>
      )}

      {job && <JobCard job={job} editable={editable} actionRef={actionRef} onRetry={retry} />}

      <section className="compile-history" aria-labelledby="compile-history-title">
        <h3 className="compile-subtitle" id="compile-history-title">
          Past bundles
        </h3>
        {listError ? (
          <p className="compile-error" role="alert">
            The bundles could not be listed: {listError}{" "}
            <button type="button" className="link-like" onClick={reload}>
              Try again
            </button>
          </p>
        ) : jobs === null ? (
          <p className="compile-muted">Loading…</p>
        ) : jobs.length === 0 ? (
          <p className="compile-muted">No bundles yet.</p>
        ) : (
          <div className="compile-table-wrap">
            <table className="compile-table">
              <thead>
                <tr>
                  <th scope="col">Revision</th>
                  <th scope="col">State</th>
                  <th scope="col" className="compile-col-targets">
                    Schemas
                  </th>
                  <th scope="col" className="compile-col-size">
                    Size
                  </th>
                  <th scope="col">Compiled</th>
                  <th scope="col">
                    <span className="visually-hidden">Actions</span>
                  </th>
                </tr>
              </thead>
              <tbody>
                {jobs.map((j) => (
                  <tr key={j.id} className={j.id === job?.id ? "is-current" : undefined}>
                    <td>r{j.revision}</td>
                    <td>
                      <span className={`job-state job-state-${j.state}`}>
                        {j.state === "running" ? `${STATE_LABEL[j.state]} ${j.progress}%` : STATE_LABEL[j.state]}
                      </span>
                    </td>
                    <td className="compile-col-targets">
                      {targetsText(j.targets)}
                    </td>
                    <td className="compile-col-size">{formatSize(j.size)}</td>
                    <td className="compile-col-when">
                      <span title={j.created_at}>{formatWhen(j.finished_at ?? j.created_at)}</span>
                      {j.created_by && <span className="compile-muted compile-by">{j.created_by}</span>}
                    </td>
                    <td className="compile-actions">
                      {j.download_url ? (
                        <a
                          className="button button-small"
                          href={j.download_url}
                          download
                          aria-label={`Download the bundle of revision ${j.revision} (${formatSize(j.size)})`}
                        >
                          <Icon name="download" size={14} />
                          <span className="compile-download-text">Download</span>
                        </a>
                      ) : editable && j.retryable ? (
                        <button
                          type="button"
                          className="button button-small"
                          aria-label={`Retry the compile of revision ${j.revision}`}
                          onClick={() => {
                            retry(j);
                          }}
                        >
                          Retry
                        </button>
                      ) : null}
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        )}
      </section>
    </Dialog>
  );
}

/** "All" for the three schemas, else their short names: the column stays narrow. */
function targetsText(targets: Target[]): string {
  if (TARGETS.every((t) => targets.includes(t.id))) {
    return "All";
  }
  return targets.map((t) => TARGETS.find((x) => x.id === t)?.short ?? t).join(", ");
}

function placeholder(id: number, revision: number, targets: Target[], options: Job["options"]): Job {
  return {
    id,
    design: 0,
    revision,
    targets,
    options,
    state: "queued",
    progress: 0,
    step: "Queued",
    error: "",
    warnings: [],
    retryable: false,
    attempt: 1,
    sha256: null,
    size: null,
    download_url: null,
    created_by: null,
    created_at: new Date().toISOString(),
    started_at: null,
    finished_at: null,
  };
}

/** The job on show: its progress bar and step, then its download or its error with Retry. */
function JobCard({
  job,
  editable,
  actionRef,
  onRetry,
}: {
  job: Job;
  editable: boolean;
  actionRef: React.RefObject<HTMLDivElement>;
  onRetry: (job: Job) => void;
}) {
  const failed = job.state === "failed" || (job.retryable && !isFinished(job));
  const done = job.state === "succeeded";
  const progress = Math.max(0, Math.min(100, job.progress));
  const step = failed && job.state !== "failed" ? "The worker stopped responding" : job.step || STATE_LABEL[job.state];
  return (
    <section className={`job-card${failed ? " is-failed" : done ? " is-done" : ""}`} aria-labelledby="job-card-title">
      <div className="job-card-head">
        <h3 className="compile-subtitle" id="job-card-title">
          Revision {job.revision}
        </h3>
        <span className={`job-state job-state-${failed ? "failed" : job.state}`}>
          {failed ? "Failed" : STATE_LABEL[job.state]}
        </span>
      </div>
      <div
        className="job-progress"
        role="progressbar"
        aria-label="Compile progress"
        aria-valuemin={0}
        aria-valuemax={100}
        aria-valuenow={progress}
        aria-valuetext={`${progress}% · ${step}`}
      >
        <div className="job-progress-fill" style={{ width: `${progress}%` }} />
      </div>
      <p className="job-step" role="status" aria-live="polite">
        <span className="job-step-text">{done ? "Bundle ready" : step}</span>
        <span className="job-step-pct">{progress}%</span>
      </p>
      <div className="job-card-actions" ref={actionRef}>
        {done && job.download_url && (
          <>
            <a className="button button-primary" href={job.download_url} download>
              <Icon name="download" size={16} />
              Download zip
            </a>
            <span className="compile-muted">
              {formatSize(job.size)}
              {job.sha256 && (
                <>
                  {" · sha256 "}
                  <code title={job.sha256}>{job.sha256.slice(0, 12)}</code>
                </>
              )}
            </span>
          </>
        )}
        {failed && (
          <div className="compile-error" role="alert">
            <p>
              {job.error ||
                "The worker running this compile stopped responding. Retry to run it again on a healthy worker."}
            </p>
            {editable && job.retryable && (
              <button
                type="button"
                className="button button-small"
                onClick={() => {
                  onRetry(job);
                }}
              >
                <Icon name="refresh" size={14} />
                Retry
              </button>
            )}
          </div>
        )}
      </div>
      {done && job.warnings.length > 0 && (
        <details className="job-warnings">
          <summary>{job.warnings.length === 1 ? "1 warning" : `${job.warnings.length} warnings`}</summary>
          <ul>
            {job.warnings.map((w, i) => (
              <li key={i}>{w}</li>
            ))}
          </ul>
        </details>
      )}
    </section>
  );
}
