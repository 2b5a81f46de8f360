/** One review thread: its anchor, the first comment and its replies, with reply, resolve, edit and delete. */

import { useState } from "react";

import type { ApiClient } from "../api";
import { Icon } from "../components/Icon";
import { splitMentions, timeAgo, type AnchorKind, type Comment, type Thread } from "./comments";
import { CommentComposer } from "./CommentComposer";

interface Props {
  thread: Thread;
  label: string;
  kindLabel: string;
  outdated: boolean;
  highlighted: boolean;
  client: ApiClient;
  designId: number;
  user: string;
  canComment: boolean;
  isOwner: boolean;
  members: readonly string[];
  /** A comment the server sent back after a change (applied at once; the socket's frame is the same). */
  onChange: (comment: Comment) => void;
  onShow: (kind: AnchorKind, id: string) => void;
}

export function CommentThread(props: Props) {
  const { thread, label, outdated, client, designId, canComment, onChange } = props;
  const [replying, setReplying] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const resolved = thread.resolved_at !== null;
  const base = `/designs/${designId}/comments`;

  const run = async (job: () => Promise<void>) => {
    setBusy(true);
    setError(null);
    try {
      await job();
    } catch (e) {
      setError(e instanceof Error ? e.message : String(e));
    } finally {
      setBusy(false);
    }
  };

  const toggleResolved = () =>
    run(async () => {
      onChange(await client.request<Comment>("POST", `${base}/${thread.id}/${resolved ? "reopen" : "resolve"}`));
    });

  const isDesign = thread.anchor.kind === "design";
  return (
    <article
      className={`thread${resolved ? " is-resolved" : ""}${outdated ? " is-outdated" : ""}${props.highlighted ? " is-highlighted" : ""}`}
      role="listitem"
      aria-label={`Thread on ${isDesign ? "the design" : label}`}
      data-anchor-id={thread.anchor.id}
      tabIndex={-1}
    >
      <header className="thread-anchor">
        {isDesign ? (
          <span className="thread-anchor-name">
            <span className="thread-kind">Design</span> {label}
          </span>
        ) : outdated ? (
          <span className="thread-anchor-name">
            <span className="thread-kind">{props.kindLabel}</span> <s>{label}</s>
            <span className="thread-badge thread-badge-outdated" title="The object this thread was about has been deleted">
              Outdated · deleted
            </span>
          </span>
        ) : (
          <button
            type="button"
            className="thread-anchor-name link-like"
            title="Show it on the canvas"
            onClick={() => {
              props.onShow(thread.anchor.kind, thread.anchor.id);
            }}
          >
            <span className="thread-kind">{props.kindLabel}</span> {label}
          </button>
        )}
        {resolved && (
          <span className="thread-badge thread-badge-resolved" title={thread.resolved_at ? new Date(thread.resolved_at).toLocaleString() : undefined}>
            <Icon name="check" size={12} /> Resolved{thread.resolved_by ? ` by ${thread.resolved_by}` : ""}
          </span>
        )}
      </header>
      <CommentBody {...props} comment={thread} />
      {thread.replies.length > 0 && (
        <ol className="thread-replies" aria-label="Replies">
          {thread.replies.map((r) => (
            <li key={r.id}>
              <CommentBody {...props} comment={r} />
            </li>
          ))}
        </ol>
      )}
      {error && (
        <p className="comment-error" role="alert">
          {error}
        </p>
      )}
      {canComment && replying && (
        <CommentComposer
          label={`Reply to the thread on ${label}`}
          submitLabel="Reply"
          placeholder="Reply…"
          members={props.members}
          autoFocus
          onSubmit={async (body) => {
            onChange(await client.request<Comment>("POST", base, { body: { parent: thread.id, body } }));
            setReplying(false);
          }}
          onCancel={() => {
            setReplying(false);
          }}
        />
      )}
      {canComment && !replying && (
        <div className="thread-actions">
          <button
            type="button"
            className="button button-quiet button-small"
            onClick={() => {
              setReplying(true);
            }}
          >
            Reply
          </button>
          <button type="button" className="button button-quiet button-small" disabled={busy} onClick={() => void toggleResolved()}>
            {resolved ? "Reopen" : "Resolve"}
          </button>
        </div>
      )}
    </article>
  );
}

function CommentBody({ comment, user, isOwner, client, designId, members, onChange }: Props & { comment: Comment }) {
  const [editing, setEditing] = useState(false);
  const [confirming, setConfirming] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const mine = comment.author === user;
  const path = `/designs/${designId}/comments/${comment.id}`;

  if (comment.deleted) {
    return <p className="comment comment-deleted">This comment was deleted.</p>;
  }
  return (
    <div className="comment">
      <p className="comment-meta">
        <span className="comment-author">{comment.author ?? "A former member"}</span>
        <time dateTime={comment.created_at} title={new Date(comment.created_at).toLocaleString()}>
          {timeAgo(comment.created_at)}
        </time>
        {comment.edited_at && <span className="comment-edited">(edited)</span>}
      </p>
      {editing ? (
        <CommentComposer
          label="Edit your comment"
          submitLabel="Save"
          initial={comment.body}
          members={members}
          autoFocus
          onSubmit={async (body) => {
            onChange(await client.request<Comment>("PATCH", path, { body: { body } }));
            setEditing(false);
          }}
          onCancel={() => {
            setEditing(false);
          }}
        />
      ) : (
        <p className="comment-text">
          {splitMentions(comment.body, comment.mentions).map((part, i) =>
            part.mention ? (
              <span key={i} className="mention">
                {part.text}
              </span>
            ) : (
              part.text
            ),
          )}
        </p>
      )}
      {!editing && (mine || isOwner) && (
        <div className="comment-own-actions">
          {mine && (
            <button
              type="button"
              className="link-like"
              onClick={() => {
                setEditing(true);
              }}
            >
              Edit
            </button>
          )}
          {confirming ? (
            <>
              <button
                type="button"
                className="link-like is-danger"
                onClick={() => {
                  setError(null);
                  client
                    .request<null>("DELETE", path)
                    .then(() => {
                      onChange({ ...comment, deleted: true, body: "", mentions: [] });
                    })
                    .catch((e: unknown) => {
                      setError(e instanceof Error ? e.message : String(e));
                      setConfirming(false);
                    });
                }}
              >
                Delete it
              </button>
              <button
                type="button"
                className="link-like"
                onClick={() => {
                  setConfirming(false);
                }}
              >
                Keep
              </button>
            </>
          ) : (
            <button
              type="button"
              className="link-like"
              onClick={() => {
                setConfirming(true);
              }}
            >
              Delete
            </button>
          )}
        </div>
      )}
      {error && (
        <p className="comment-error" role="alert">
          {error}
        </p>
      )}
    </div>
  );
}
