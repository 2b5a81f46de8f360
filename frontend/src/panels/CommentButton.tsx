/** "Discuss": start (or open) the review comments on an object from its inspector. */

import { useCanvasActions } from "../canvas/context";
import { Icon } from "../components/Icon";

export function CommentButton({ objectId, name }: { objectId: string; name: string }) {
  const actions = useCanvasActions();
  return (
    <button
      type="button"
      className="button button-quiet button-small comment-start"
      aria-label={`Discuss ${name} in review comments`}
      title={`Review comments on ${name}`}
      onClick={() => {
        actions.openMarker(objectId, "comments");
      }}
    >
      <Icon name="comment" size={14} />
      Discuss
    </button>
  );
}
