/**
 * Compile jobs over the API (designs/jobs_api.py, docs/bundle.md): start one, read one, list a
 * design's past bundles, retry a failed one; and folding a `job.progress` server event into a job.
 */

import type { ApiClient } from "../api";
import type { ServerEvent } from "../live/events";

export type Target = "postgresql" | "mysql" | "sqlite";
export type JobState = "queued" | "running" | "succeeded" | "failed";

export const TARGETS: { id: Target; label: string; short: string }[] = [
  { id: "postgresql", label: "PostgreSQL", short: "Postgres" },
  { id: "mysql", label: "MySQL / MariaDB", short: "MySQL" },
  { id: "sqlite", label: "SQLite", short: "SQLite" },
];

export interface CompileOptions {
  erd: boolean;
  migrations: boolean;
  status: string;
}

export interface CompileRequest {
  targets: Target[];
  options: CompileOptions;
  revision?: number;
}

/** A job as the API describes it (JobOut). */
export interface Job {
  id: number;
  design: number;
  revision: number;
  targets: Target[];
  options: Partial<CompileOptions>;
  state: JobState;
  progress: number;
  step: string;
  error: string;
  warnings: string[];
  retryable: boolean;
  attempt: number;
  sha256: string | null;
  size: number | null;
  download_url: string | null;
  created_by: string | null;
  created_at: string;
  started_at: string | null;
  finished_at: string | null;
}

export function startCompile(client: ApiClient, designId: number, body: CompileRequest): Promise<Job> {
  return client.request<Job>("POST", `/designs/${designId}/compile`, { body });
}

export function getJob(client: ApiClient, jobId: number, signal?: AbortSignal): Promise<Job> {
  return client.request<Job>("GET", `/jobs/${jobId}`, { signal });
}

export function listJobs(client: ApiClient, designId: number, signal?: AbortSignal): Promise<Job[]> {
  return client.request<Job[]>("GET", `/designs/${designId}/jobs?limit=20`, { signal });
}

export function retryJob(client: ApiClient, jobId: number): Promise<Job> {
  return client.request<Job>("POST", `/jobs/${jobId}/retry`);
}

export function isFinished(job: Pick<Job, "state">): boolean {
  return job.state === "succeeded" || job.state === "failed";
}

const STATES: readonly string[] = ["queued", "running", "succeeded", "failed"];

/** The job with a `job.progress` event applied, or the job itself when the event is someone else's. */
export function applyEvent(shown: Job, event: ServerEvent): Job {
  if (event.job !== shown.id || typeof event.state !== "string" || !STATES.includes(event.state)) {
    return shown;
  }
  // An event of an earlier attempt is late news; one of a later attempt (a retry) starts over.
  const attempt = typeof event.attempt === "number" ? event.attempt : shown.attempt;
  if (attempt < shown.attempt) {
    return shown;
  }
  const job: Job = attempt > shown.attempt ? { ...shown, attempt, state: "queued", progress: 0, step: "", error: "" } : shown;
  const state = event.state as JobState;
  if (isFinished(job) && !isFinished({ state })) {
    return job; // a late step of an attempt already finished
  }
  // A late event of a running job must not move the bar backwards past a poll that saw more.
  const progress = typeof event.progress === "number" ? event.progress : job.progress;
  const backwards = state === "running" && job.state === "running" && progress < job.progress;
  return {
    ...job,
    state,
    progress: backwards ? job.progress : progress,
    step: typeof event.step === "string" && !backwards ? event.step : job.step,
    error: typeof event.error === "string" ? event.error : job.error,
  };
}

/**
 * A job read from the server (a poll, or the answer to the request that started it) over the one on
 * show. The read may be older than the last event: a worker can report "running 20%" before the
 * start request has answered with "queued 0%". It must not move the bar back, in state or progress.
 */
export function mergePoll(current: Job, fresh: Job): Job {
  if (fresh.id !== current.id || fresh.attempt !== current.attempt) {
    return fresh;
  }
  const rank = STATES.indexOf(fresh.state) - STATES.indexOf(current.state);
  const behind = isFinished(current) ? !isFinished(fresh) : rank < 0 || (rank === 0 && fresh.progress < current.progress);
  if (!behind) {
    return fresh;
  }
  return { ...fresh, state: current.state, progress: current.progress, step: current.step, error: current.error };
}

/** "2.4 MB", "812 KB", "640 B". */
export function formatSize(bytes: number | null): string {
  if (bytes === null) {
    return "—";
  }
  if (bytes < 1024) {
    return `${bytes} B`;
  }
  if (bytes < 1024 * 1024) {
    return `${Math.round(bytes / 1024)} KB`;
  }
  return `${(bytes / (1024 * 1024)).toFixed(1)} MB`;
}

/** A short local date and time: "4 Dec, 17:42". */
export function formatWhen(iso: string | null): string {
  if (!iso) {
    return "—";
  }
  const date = new Date(iso);
  if (Number.isNaN(date.getTime())) {
    return iso;
  }
  return date.toLocaleString(undefined, { day: "numeric", month: "short", hour: "2-digit", minute: "2-digit" });
}

export const STATE_LABEL: Record<JobState, string> = {
  queued: "Queued",
  running: "Running",
  succeeded: "Ready",
  failed: "Failed",
};
