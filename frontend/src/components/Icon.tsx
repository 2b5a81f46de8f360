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
