/** Types for scripts/build.mjs, which tests import to rebuild the bundles. */
export type BuildTarget = 'action' | 'cli';

export const PROJECT_ROOT: string;
export const TARGET_FILES: Record<BuildTarget, string[]>;
export const ACTION_SIZE_LIMIT: number;

export function build(options?: {
  outDir?: string;
  targets?: BuildTarget[];
}): Promise<{ path: string; bytes: number }[]>;
