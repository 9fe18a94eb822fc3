import js from "@eslint/js";
import tseslint from "typescript-eslint";

export default tseslint.config(
  { ignores: ["node_modules/", ".warehouse/", "dist/", "coverage/"] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    files: ["runner/**/*.ts", "tests/**/*.ts", "bench/**/*.ts"],
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
      globals: {
        module: "writable",
        require: "readonly",
        dataform: "readonly",
        declare: "readonly",
        publish: "readonly",
        assert: "readonly",
        // Top-level includes are globals in definitions, named after their file.
        constants: "readonly",
        docs: "readonly",
        raw_tables: "readonly",
        run_window: "readonly",
        gates: "readonly",
      },
    },
    rules: { "@typescript-eslint/no-require-imports": "off" },
  },
  {
    files: ["bin/**/*.js"],
    languageOptions: { globals: { process: "readonly", console: "readonly" } },
  },
);
