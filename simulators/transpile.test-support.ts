/**
 * Runs repository TypeScript in a plain `node` child process (Node 20 cannot strip types): the named modules are
 * transpiled into a throw-away directory inside simulators/, so bare imports still resolve to the repository's
 * node_modules. For tests that need a second process (SQLite across processes) or a clean one (measurements).
 */
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import ts from 'typescript';

const repo = resolve(dirname(fileURLToPath(import.meta.url)), '..');

export interface Transpiled {
  /** Mirrors the repository layout: `${root}/simulators/http.js`. */
  root: string;
  write(relativePath: string, text: string): string;
  dispose(): void;
}

/** `paths` are repository-relative .ts files. */
export function transpileForChild(paths: readonly string[]): Transpiled {
  const root = mkdtempSync(join(repo, 'simulators', '.child-'));
  writeFileSync(join(root, 'package.json'), '{"type":"module"}');
  for (const path of paths) {
    const js = ts.transpileModule(readFileSync(join(repo, path), 'utf8'), {
      compilerOptions: { module: ts.ModuleKind.ESNext, target: ts.ScriptTarget.ES2022 },
    }).outputText;
    const out = join(root, path.replace(/\.ts$/, '.js'));
    mkdirSync(dirname(out), { recursive: true });
    writeFileSync(out, js);
  }
  return {
    root,
    write(relativePath, text) {
      const out = join(root, relativePath);
      mkdirSync(dirname(out), { recursive: true });
      writeFileSync(out, text);
      return out;
    },
    dispose: () => rmSync(root, { recursive: true, force: true }),
  };
}
