/**
 * Drives VS Code's own Markdown language service (vscode-markdown-languageservice 0.5) headlessly over a
 * folder, the way a workspace-wide validation does: a workspace over the files on disk, markdown-it as
 * VS Code's Markdown extension configures it, `computeDiagnostics` for every document with the link
 * validation VS Code applies when `markdown.validate.enabled` is on.
 *
 *   node out/bench/vscodeDriver.js ROOT OUT.json [--insensitive]
 *
 * `--insensitive` answers `stat` as Windows and macOS do (case and Unicode form ignored).
 */
import { promises as fs, writeFileSync } from 'node:fs';
import * as nodePath from 'node:path';
import { performance } from 'node:perf_hooks';
import { importTool, packageDir, type DriverOutput } from './tools';

/* eslint-disable @typescript-eslint/no-explicit-any -- the service's types live in .cache/, not in our dependencies */
type Any = any;

interface TextDocumentLike {
  uri: string;
  getText(): string;
}

const noEvent = () => ({ dispose() {} });

/** VS Code's Markdown extension parses with the front-matter plugin: front matter yields no Markdown tokens. */
function blankFrontMatter(text: string): string {
  const match = /^---\r?\n[\s\S]*?\r?\n(?:---|\.\.\.)[ \t]*(?:\r?\n|$)/.exec(text);
  return match ? match[0].replace(/[^\r\n]/g, '') + text.slice(match[0].length) : text;
}

async function main(): Promise<void> {
  const [rootArg, outFile] = process.argv.slice(2);
  const insensitive = process.argv.includes('--insensitive');
  if (!rootArg || !outFile) throw new Error('usage: vscodeDriver.js ROOT OUT.json [--insensitive]');
  const root = nodePath.resolve(rootArg);
  const t0 = performance.now();

  const md: Any = await importTool('vscode-markdown-languageservice');
  const serviceDir = packageDir('vscode-markdown-languageservice');
  const { URI }: Any = await importTool('vscode-uri', serviceDir);
  const { TextDocument }: Any = await importTool('vscode-languageserver-textdocument', serviceDir);
  const markdownIt: Any = (await importTool<Any>('markdown-it')).default;
  const loadMs = performance.now() - t0;

  // As VS Code's MarkdownItEngine: html on, linkify on (the default), typographer off.
  const engine = markdownIt({ html: true, linkify: true, typographer: false });
  const parser = {
    slugifier: md.githubSlugifier,
    async tokenize(document: TextDocumentLike) {
      return engine.parse(blankFrontMatter(document.getText()), {});
    },
  };

  const documents = new Map<string, TextDocumentLike>();
  const decoder = new TextDecoder('utf-8');
  const isMarkdown = (path: string) => /\.md$/i.test(path);
  const readDocument = async (uri: Any): Promise<TextDocumentLike | undefined> => {
    const key = uri.toString();
    const cached = documents.get(key);
    if (cached) return cached;
    if (!isMarkdown(uri.fsPath)) return undefined;
    try {
      // As VS Code's Markdown server reads files that are not open: TextDecoder, which drops a BOM.
      const text = decoder.decode(await fs.readFile(uri.fsPath));
      const document = TextDocument.create(key, 'markdown', 1, text);
      documents.set(key, document);
      return document;
    } catch {
      return undefined;
    }
  };

  // Windows/macOS emulation: each path segment matched against the folder listing, case and form folded.
  const listings = new Map<string, Map<string, { name: string; isDirectory: boolean }>>();
  const fold = (name: string) => name.normalize('NFC').toLowerCase();
  const listing = async (dir: string) => {
    let map = listings.get(dir);
    if (!map) {
      map = new Map();
      try {
        for (const entry of await fs.readdir(dir, { withFileTypes: true })) map.set(fold(entry.name), { name: entry.name, isDirectory: entry.isDirectory() });
      } catch {
        // Not a folder: nothing in it.
      }
      listings.set(dir, map);
    }
    return map;
  };
  const statInsensitive = async (fsPath: string): Promise<{ isDirectory: boolean } | undefined> => {
    const parts = fsPath.split(nodePath.sep).filter(Boolean);
    let dir: string = nodePath.sep;
    let isDirectory = true;
    for (const part of parts) {
      const entry = (await listing(dir)).get(fold(part));
      if (!entry) return undefined;
      dir = nodePath.join(dir, entry.name);
      isDirectory = entry.isDirectory;
    }
    return { isDirectory };
  };

  const workspace = {
    workspaceFolders: [URI.file(root)],
    onDidChangeMarkdownDocument: noEvent,
    onDidCreateMarkdownDocument: noEvent,
    onDidDeleteMarkdownDocument: noEvent,
    async getAllMarkdownDocuments() {
      const found: TextDocumentLike[] = [];
      const walk = async (dir: string): Promise<void> => {
        for (const entry of await fs.readdir(dir, { withFileTypes: true })) {
          if (entry.name.startsWith('.') || entry.name === 'node_modules') continue;
          const path = nodePath.join(dir, entry.name);
          if (entry.isDirectory()) await walk(path);
          else if (isMarkdown(entry.name)) {
            const document = await readDocument(URI.file(path));
            if (document) found.push(document);
          }
        }
      };
      await walk(root);
      return found;
    },
    hasMarkdownDocument(uri: Any) {
      return documents.has(uri.toString());
    },
    openMarkdownDocument: readDocument,
    async stat(uri: Any) {
      if (documents.has(uri.toString())) return { isDirectory: false };
      if (insensitive) return statInsensitive(uri.fsPath);
      try {
        const stat = await fs.stat(uri.fsPath);
        return { isDirectory: stat.isDirectory() };
      } catch {
        return undefined;
      }
    },
    async readDirectory(uri: Any) {
      const entries = await fs.readdir(uri.fsPath, { withFileTypes: true });
      return entries.map((e) => [e.name, { isDirectory: e.isDirectory() }] as const);
    },
  };

  const service = md.createLanguageService({ workspace, parser, logger: { level: 0, log() {} } });
  // VS Code's defaults once `markdown.validate.enabled` is true.
  const options = {
    validateReferences: 'warning',
    validateFragmentLinks: 'warning',
    validateFileLinks: 'warning',
    validateMarkdownFileLinkFragments: 'warning',
    validateUnusedLinkDefinitions: 'hint',
    validateDuplicateLinkDefinitions: 'warning',
    ignoreLinks: [],
  };
  const token = { isCancellationRequested: false, onCancellationRequested: noEvent };

  const t1 = performance.now();
  const output: DriverOutput = { tool: insensitive ? 'vscode-insensitive' : 'vscode', elapsedMs: 0, loadMs, findings: [] };
  for (const document of await workspace.getAllMarkdownDocuments()) {
    const diagnostics: Any[] = await service.computeDiagnostics(document, options, token);
    const file = nodePath.relative(root, URI.parse(document.uri).fsPath).split(nodePath.sep).join('/');
    for (const d of diagnostics) output.findings.push({ file, line: d.range.start.line + 1, code: String(d.code), message: d.message });
  }
  output.elapsedMs = performance.now() - t1;
  service.dispose();
  writeFileSync(outFile, JSON.stringify(output));
}

main().catch((error) => {
  process.stderr.write(`vscodeDriver: ${(error as Error).stack ?? error}\n`);
  process.exitCode = 2;
});
