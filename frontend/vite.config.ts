// Vite builds the editor into ../static/dist; Django serves it (whitenoise) and the
// {% vite_entry %} template tag reads the manifest to find the hashed file names.
import { defineConfig } from "vite";

export default defineConfig({
  base: "/static/dist/",
  // No @vitejs/plugin-react: esbuild's automatic JSX runtime is all we need, and it keeps
  // the toolchain small enough to build on Node 18.
  esbuild: {
    jsx: "automatic",
  },
  build: {
    outDir: "../static/dist",
    emptyOutDir: true,
    manifest: true,
    target: "es2020",
    sourcemap: true,
    rollupOptions: {
      input: {
        editor: "src/editor.tsx",
        // The design list's import dialog: plain TypeScript, no React (the page is server-rendered).
        "import-dialog": "src/import-dialog.ts",
      },
    },
  },
});
