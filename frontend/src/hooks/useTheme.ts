/** Light, dark or the system's choice; remembered per browser, applied as `<html data-theme>`. */

import { useCallback, useEffect, useState } from "react";

export type ThemeChoice = "system" | "light" | "dark";

export interface Theme {
  choice: ThemeChoice;
  dark: boolean;
  cycle: () => void;
}

const KEY = "dbstudio.theme";
const QUERY = "(prefers-color-scheme: dark)";

function stored(): ThemeChoice {
  try {
    const value = window.localStorage.getItem(KEY);
    return value === "light" || value === "dark" ? value : "system";
  } catch {
    return "system";
  }
}

export function useTheme(): Theme {
  const [choice, setChoice] = useState<ThemeChoice>(stored);
  const [systemDark, setSystemDark] = useState(() => window.matchMedia(QUERY).matches);

  useEffect(() => {
    const media = window.matchMedia(QUERY);
    const onChange = () => {
      setSystemDark(media.matches);
    };
    media.addEventListener("change", onChange);
    return () => {
      media.removeEventListener("change", onChange);
    };
  }, []);

  useEffect(() => {
    const root = document.documentElement;
    if (choice === "system") {
      delete root.dataset.theme;
    } else {
      root.dataset.theme = choice;
    }
    try {
      window.localStorage.setItem(KEY, choice);
    } catch {
      // Private mode: the choice lasts for this page only.
    }
  }, [choice]);

  const cycle = useCallback(() => {
    setChoice((c) => (c === "system" ? (systemDark ? "light" : "dark") : c === "dark" ? "light" : "dark"));
  }, [systemDark]);

  return { choice, dark: choice === "dark" || (choice === "system" && systemDark), cycle };
}
