/** The action's entry point (action.yml `runs.main` → dist/index.js). */
import '../shared-entry/lean-heap.ts';
import { run } from './main.ts';

await run();
