/**
 * Summarises the .cpuprofile files `node --cpu-prof` writes (one per thread):
 * self time per function, summed over the threads.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

interface ProfileNode {
  readonly id: number;
  readonly callFrame: { readonly functionName: string; readonly url: string; readonly lineNumber: number };
}

interface Profile {
  readonly nodes: readonly ProfileNode[];
  readonly samples: readonly number[];
  readonly timeDeltas: readonly number[];
}

export interface FunctionCost {
  readonly name: string;
  readonly ms: number;
  readonly share: number;
}

function label(frame: ProfileNode['callFrame']): string {
  const where = frame.url ? frame.url.replace(/^file:\/\/.*?node_modules\//, '').replace(/^file:\/\/.*?\/dist\//, 'dist/') : '';
  const name = frame.functionName || '(anonymous)';
  return where ? `${name} ${where}:${frame.lineNumber + 1}` : name;
}

/** Self time per function over every profile in `dir`, excluding time spent waiting; biggest first. */
export function topFunctions(dir: string, limit = 12): { total: number; threads: number; top: FunctionCost[] } {
  const self = new Map<string, number>();
  const files = readdirSync(dir).filter((f) => f.endsWith('.cpuprofile'));
  for (const file of files) {
    const profile = JSON.parse(readFileSync(join(dir, file), 'utf8')) as Profile;
    const byId = new Map(profile.nodes.map((n) => [n.id, label(n.callFrame)]));
    profile.samples.forEach((id, i) => {
      const name = byId.get(id) ?? '?';
      // Blocked, not running: the event loop's idle time, and piscina's Atomics.wait between tasks.
      if (name === '(idle)' || name.startsWith('atomicsWaitLoop ')) return;
      self.set(name, (self.get(name) ?? 0) + (profile.timeDeltas[i] ?? 0) / 1000);
    });
  }
  const total = [...self.values()].reduce((a, b) => a + b, 0);
  const top = [...self.entries()]
    .sort((a, b) => b[1] - a[1])
    .slice(0, limit)
    .map(([name, ms]) => ({ name, ms, share: ms / total }));
  return { total, threads: files.length, top };
}
