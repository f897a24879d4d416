// Turns a self-contained TypeScript program (node builtins only) into plain JavaScript, so a floor
// runs under bare `node` like a built gateway would: a TypeScript loader in the child would add its
// own start-up work and tens of megabytes of RSS to the floor being compared against.
import { readFileSync, writeFileSync } from 'node:fs';
import { basename, join } from 'node:path';
import ts from 'typescript';

export function compileStandalone(sourcePath: string, outDir: string): string {
  const output = ts.transpileModule(readFileSync(sourcePath, 'utf8'), {
    compilerOptions: { module: ts.ModuleKind.ESNext, target: ts.ScriptTarget.ES2022 },
    fileName: sourcePath,
  });
  const outPath = join(outDir, basename(sourcePath).replace(/\.ts$/, '.mjs'));
  writeFileSync(outPath, output.outputText);
  return outPath;
}
