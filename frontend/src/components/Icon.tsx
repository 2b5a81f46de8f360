/** A few inline line icons (24px grid, stroke = currentColor) so the editor needs no icon font. */

const PATHS = {
  pointer: "M5 3l14 8-6 1.5L10 19z",
  table: "M4 5h16v14H4zM4 10h16M10 10v9",
  relationship: "M5 7h5v4H5zM14 13h5v4h-5zM10 9h2v6h2",
  note: "M5 4h10l4 4v12H5zM15 4v4h4",
  key: "M14.5 9.5a4 4 0 1 1-1.2-2.9M13.3 6.6L20 13.3v2.7h-2.7v-2h-2v-2h-2",
  link: "M10 14a4 4 0 0 0 5.7 0l3-3a4 4 0 0 0-5.7-5.7l-1 1M14 10a4 4 0 0 0-5.7 0l-3 3a4 4 0 0 0 5.7 5.7l1-1",
  alert: "M12 3l10 18H2zM12 10v5M12 18v.01",
  refresh: "M20 11a8 8 0 1 0-2.3 5.7M20 4v7h-7",
  empty: "M4 5h16v14H4zM4 10h16M10 10v9M15 14h2",
  plus: "M12 5v14M5 12h14",
  undo: "M9 14L4 9l5-5M4 9h10a6 6 0 0 1 0 12h-3",
  redo: "M15 14l5-5-5-5M20 9H10a6 6 0 0 0 0 12h3",
  layout: "M3 4h6v6H3zM15 4h6v6h-6zM9 17h6v4H9zM6 10v3h12v-3M12 13v4",
  fit: "M4 9V4h5M20 9V4h-5M4 15v5h5M20 15v5h-5",
  search: "M11 18a7 7 0 1 0 0-14 7 7 0 0 0 0 14zM20 20l-4-4",
  download: "M12 4v11M7 10l5 5 5-5M5 20h14",
  moon: "M20 14.5A8 8 0 0 1 9.5 4 8 8 0 1 0 20 14.5z",
  sun: "M12 16a4 4 0 1 0 0-8 4 4 0 0 0 0 8zM12 2v2M12 20v2M4.9 4.9l1.4 1.4M17.7 17.7l1.4 1.4M2 12h2M20 12h2M4.9 19.1l1.4-1.4M17.7 6.3l1.4-1.4",
  help: "M12 21a9 9 0 1 0 0-18 9 9 0 0 0 0 18zM9.5 9a2.5 2.5 0 1 1 3.5 2.3c-.6.3-1 .9-1 1.6V14M12 17.5v.01",
  check: "M5 12l5 5 9-10",
  trash: "M4 7h16M10 11v6M14 11v6M6 7l1 13h10l1-13M9 7V4h6v3",
  close: "M6 6l12 12M18 6L6 18",
  comment: "M4 5h16v11H9l-5 4z",
  review: "M9 12l2 2 4-4M12 21a9 9 0 1 0 0-18 9 9 0 0 0 0 18z",
  versions: "M12 8v4l3 2M3 12a9 9 0 1 0 3-6.7L3 8M3 3v5h5",
  compile: "M4 4h16v5H4zM4 9v11h16V9M9 14h6",
} as const;

export type IconName = keyof typeof PATHS;

export function Icon({ name, size = 18, label }: { name: IconName; size?: number; label?: string }) {
  return (
    <svg
      className="icon"
      width={size}
      height={size}
      viewBox="0 0 24 24"
      fill="none"
      stroke="currentColor"
      strokeWidth={1.75}
      strokeLinecap="round"
      strokeLinejoin="round"
      role={label ? "img" : undefined}
      aria-label={label}
      aria-hidden={label ? undefined : true}
      focusable="false"
    >
      <path d={PATHS[name]} />
    </svg>
  );
}
