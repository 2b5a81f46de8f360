/** A modal dialog on the native <dialog> element: focus is trapped, Escape closes it. */

import { useEffect, useRef } from "react";

interface Props {
  title: string;
  onClose: () => void;
  className?: string;
  children: React.ReactNode;
}

export function Dialog({ title, onClose, className, children }: Props) {
  const ref = useRef<HTMLDialogElement>(null);
  useEffect(() => {
    const dialog = ref.current;
    // Read before showModal moves focus into the dialog, so closing gives it back to the opener.
    const back = document.activeElement as HTMLElement | null;
    if (dialog && !dialog.open) {
      dialog.showModal();
    }
    return () => {
      back?.focus();
    };
  }, []);
  return (
    <dialog
      ref={ref}
      className={`dialog ${className ?? ""}`}
      aria-label={title}
      onCancel={(event) => {
        event.preventDefault();
        onClose();
      }}
      onClick={(event) => {
        // A click on the backdrop (the dialog element itself, outside its box) closes it.
        if (event.target === ref.current) {
          onClose();
        }
      }}
    >
      <div className="dialog-box">{children}</div>
    </dialog>
  );
}
