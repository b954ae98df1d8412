import { existsSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

function findProjectRoot(start: string): string {
  let dir = start;
  while (!existsSync(path.join(dir, 'package.json'))) {
    const parent = path.dirname(dir);
    if (parent === dir) throw new Error(`package.json not found above ${start}`);
    dir = parent;
  }
  return dir;
}

/** The folder holding package.json, whether running from src/ (tsx) or dist/ (built). */
export const projectRoot = findProjectRoot(path.dirname(fileURLToPath(import.meta.url)));
/** Source folder: templates and reference data are read from here in both modes. */
export const srcDir = path.join(projectRoot, 'src');
