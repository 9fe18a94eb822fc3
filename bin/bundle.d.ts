export function loadBundle(
  file: string,
  nodeModulesDir: string,
  argv: string[],
): { main: (argv: string[]) => Promise<number>; saveCodeCache: () => void; codeCache: "accepted" | "rejected" | "none" };
export function removeBundleCaches(file: string, nodeModulesDir: string): void;
