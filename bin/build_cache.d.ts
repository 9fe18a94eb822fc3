export function buildCacheFile(nodeModulesDir: string, name: string): string;
export function replaceBuildCacheFile(file: string, prefix: string, contents: string | Uint8Array): void;
export function removeBuildCacheFiles(nodeModulesDir: string, prefix: string): void;
