// Worker threads started from TypeScript source (tsx, vitest) begin here: Node 20 gives a worker
// neither the parent's loader hooks nor its `--import`, so tsx is registered before the entry loads.
// The build has no need of this file: dist/platform/worker-entry.js is loaded directly.
import { register } from 'tsx/esm/api';

register();
const { default: runTask } = await import('./worker-entry.ts');
export default runTask;
