import js from "@eslint/js";
import tseslint from "typescript-eslint";

export default tseslint.config(
  { ignores: ["node_modules/", ".warehouse/", "dist/", "coverage/"] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    files: ["runner/**/*.ts", "tests/**/*.ts", "bench/**/*.ts", "scripts/**/*.ts"],
    rules: {
      "@typescript-eslint/no-explicit-any": "error",
      "@typescript-eslint/no-unused-vars": ["error", { argsIgnorePattern: "^_" }],
      "no-console": "error",
    },
  },
  {
    // Dataform evaluates includes/ and definitions/ as CommonJS inside its sandbox.
    files: ["includes/**/*.js", "definitions/**/*.js"],
    languageOptions: {
      sourceType: "commonjs",
      globals: { module: "writable", require: "readonly", dataform: "readonly" },
    },
    rules: { "@typescript-eslint/no-require-imports": "off" },
  },
  {
    // In definitions, Dataform's API and the top-level includes (named after their file) are globals.
    files: ["definitions/**/*.js"],
    languageOptions: {
      globals: {
        declare: "readonly",
        publish: "readonly",
        assert: "readonly",
        constants: "readonly",
        docs: "readonly",
        box_score_sources: "readonly",
        gates: "readonly",
        held_back_games: "readonly",
        model_checks: "readonly",
        raw_tables: "readonly",
        run_window: "readonly",
        vars: "readonly",
      },
    },
  },
  {
    files: ["bin/**/*.js"],
    languageOptions: { globals: { process: "readonly", console: "readonly" } },
  },
);
