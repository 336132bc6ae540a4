/**
 * Imported first by the action's and the CLI's entry points. A backfill's live heap stays near 20 MB, but each page
 * leaves ~1 MB of parsed JSON behind, and V8's default old-generation growth (up to 4× the live heap after each
 * full collection) let the peak climb with the number of pages: 131 → 145 MB for the action from 10,000 to 100,000
 * PRs. Optimising for size caps that growth. Of V8's heap flags it is the one that still acts when set at run time
 * (the young generation's size is fixed at start-up: the CLI's hashbang sets that one), and the action has no
 * other way to pass flags to node.
 */
import { setFlagsFromString } from 'node:v8';

setFlagsFromString('--optimize-for-size');
