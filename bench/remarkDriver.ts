/**
 * Runs remark-validate-links over a folder through unified-engine, the engine behind `remark-cli`
 * (`remark . --use remark-gfm --use remark-frontmatter --use remark-validate-links`), and writes its
 * findings. Only through the engine does it check headings in other files.
 *
 *   node out/bench/remarkDriver.js ROOT OUT.json
 *
 * `repository` and `root` are given (a GitHub URL, the corpus folder) so that `/…` links are checked
 * from the root: without a hosted-Git configuration it skips every one of them.
 */
import { writeFileSync } from 'node:fs';
import * as nodePath from 'node:path';
import { performance } from 'node:perf_hooks';
import { importTool, type DriverOutput } from './tools';

/* eslint-disable @typescript-eslint/no-explicit-any -- the tools' types live in .cache/, not in our dependencies */
type Any = any;

async function main(): Promise<void> {
  const [rootArg, outFile] = process.argv.slice(2);
  if (!rootArg || !outFile) throw new Error('usage: remarkDriver.js ROOT OUT.json');
  const root = nodePath.resolve(rootArg);
  const t0 = performance.now();
  const { engine }: Any = await importTool('unified-engine');
  const { remark }: Any = await importTool('remark');
  const remarkGfm: Any = (await importTool<Any>('remark-gfm')).default;
  const remarkFrontmatter: Any = (await importTool<Any>('remark-frontmatter')).default;
  const remarkValidateLinks: Any = (await importTool<Any>('remark-validate-links')).default;
  const loadMs = performance.now() - t0;

  const t1 = performance.now();
  const context: Any = await new Promise((resolve, reject) => {
    engine(
      {
        processor: remark(),
        files: ['.'],
        cwd: root,
        extensions: ['md'],
        plugins: [[remarkGfm], [remarkFrontmatter, ['yaml', 'toml']], [remarkValidateLinks, { repository: 'https://github.com/example/apuntes', root }]],
        output: false,
        out: false,
        silent: true,
        quiet: true,
        color: false,
        reporter: () => '',
        detectConfig: false,
        detectIgnore: false,
        ignoreName: undefined,
        rcName: undefined,
      },
      (error: Error | null, _code: number, ctx: Any) => (error ? reject(error) : resolve(ctx)),
    );
  });
  const output: DriverOutput = { tool: 'remark', elapsedMs: performance.now() - t1, loadMs, findings: [] };
  for (const file of context.files as Any[]) {
    const path = nodePath.relative(root, nodePath.resolve(file.cwd ?? root, file.path)).split(nodePath.sep).join('/');
    for (const message of file.messages as Any[]) {
      output.findings.push({ file: path, line: message.line ?? message.place?.start?.line ?? message.place?.line ?? 0, code: String(message.ruleId ?? message.source ?? 'unknown'), message: String(message.reason ?? message.message) });
    }
  }
  writeFileSync(outFile, JSON.stringify(output));
}

main().catch((error) => {
  process.stderr.write(`remarkDriver: ${(error as Error).stack ?? error}\n`);
  process.exitCode = 2;
});
