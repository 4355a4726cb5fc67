// Grammar snapshot tests for syntaxes/kbnav-navigation.tmLanguage.json (after vuejs/language-tools grammar.spec.ts).
// Sample Markdown is tokenized with vscode-textmate + vscode-oniguruma, the engine VS Code itself uses, and the
// tokens are compared with the committed .snap files in test/unit/grammar/. Regenerate them with
// UPDATE_SNAPSHOTS=1 after an intended grammar change, and review the diff. VS Code's Markdown grammar is not on
// npm, so the injection is hosted by a small stand-in (test/unit/grammar/markdown-base.tmLanguage.json) with the
// same block structure (paragraphs and list paragraphs as begin/while rules, heading text as a capture) and the same
// scope names for code spans, code blocks and ordinary links; that structure is what decides where an injection
// applies, which is why the injection selector targets meta.paragraph / entity.name.section (see the grammar).
import { before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import * as oniguruma from 'vscode-oniguruma';
import { INITIAL, parseRawGrammar, Registry, type IGrammar, type StateStack } from 'vscode-textmate';

const INJECTION_SCOPE = 'kbnav.navigation.injection';
const GRAMMAR_FILE = join('syntaxes', 'kbnav-navigation.tmLanguage.json');

// This file is bundled into out/test/unit/, so __dirname is three levels below the repository root; fall back to
// the working directory for other runners.
const repoRoot =
  [resolve(__dirname, '..', '..', '..'), process.cwd()].find((dir) => existsSync(join(dir, GRAMMAR_FILE))) ??
  process.cwd();
const snapshotDir = join(repoRoot, 'test', 'unit', 'grammar');
const updateSnapshots = process.env.UPDATE_SNAPSHOTS === '1';

const grammarFiles: Record<string, string> = {
  'text.html.markdown': join(snapshotDir, 'markdown-base.tmLanguage.json'),
  [INJECTION_SCOPE]: join(repoRoot, GRAMMAR_FILE),
};

interface Token {
  text: string;
  scopes: string[];
}

let grammar: IGrammar;

/** Tokenizes a Markdown document line by line, carrying the rule stack across lines as the editor does. */
function tokenize(source: string): Token[][] {
  let state: StateStack = INITIAL;
  return source.split('\n').map((line) => {
    const result = grammar.tokenizeLine(line, state);
    state = result.ruleStack;
    return result.tokens.map((t) => ({
      text: line.slice(t.startIndex, Math.min(t.endIndex, line.length)),
      // The root scope is on every token; leaving it out keeps the snapshots readable.
      scopes: t.scopes.filter((s) => s !== 'text.html.markdown'),
    }));
  });
}

/** Makes invisible characters visible, so that a marker with and without U+FE0F differ in the snapshot. */
function visible(text: string): string {
  return JSON.stringify(text).replace(/\uFE0F/g, '\\uFE0F');
}

/** The readable snapshot: each source line, then one row per token with its text and scopes (outermost first). */
function render(source: string): string {
  const lines = source.split('\n');
  return tokenize(source)
    .map((tokens, i) =>
      [`> ${visible(lines[i])}`, ...tokens.map((t) => `  ${visible(t.text)}  ${t.scopes.join(' ') || '(root)'}`)].join('\n'),
    )
    .join('\n')
    .concat('\n');
}

function matchSnapshot(name: string, source: string): void {
  const file = join(snapshotDir, `${name}.snap`);
  const actual = render(source);
  if (updateSnapshots) {
    writeFileSync(file, actual);
    return;
  }
  assert.ok(existsSync(file), `snapshot ${file} is missing; run with UPDATE_SNAPSHOTS=1 to create it`);
  assert.equal(actual, readFileSync(file, 'utf8'), `tokens differ from ${name}.snap (UPDATE_SNAPSHOTS=1 to accept)`);
}

function tokensOf(line: string): Token[] {
  return tokenize(line)[0];
}

function navScopes(tokens: Token[]): string[] {
  return tokens.flatMap((t) => t.scopes).filter((s) => s.includes('kbnav'));
}

const markers = {
  back: ['\u2B05', '\u23EE', '\u25C0', '\u23EA'],
  forward: ['\u27A1', '\u23ED', '\u25B6', '\u23E9'],
  up: ['\u2B06', '\u23EB'],
  down: ['\u2B07', '\u23EC'],
  related: ['\u{1F4CE}', '\u{1F517}'],
} as const;

describe('navigation link grammar', () => {
  before(async () => {
    const wasm = readFileSync(require.resolve('vscode-oniguruma/release/onig.wasm', { paths: [repoRoot] }));
    await oniguruma.loadWASM(wasm.buffer.slice(wasm.byteOffset, wasm.byteOffset + wasm.byteLength));
    const registry = new Registry({
      onigLib: Promise.resolve({
        createOnigScanner: (patterns: string[]) => new oniguruma.OnigScanner(patterns),
        createOnigString: (s: string) => new oniguruma.OnigString(s),
      }),
      loadGrammar: async (scopeName: string) => {
        const file = grammarFiles[scopeName];
        return file ? parseRawGrammar(readFileSync(file, 'utf8'), file) : null;
      },
      getInjections: (scopeName: string) => (scopeName === 'text.html.markdown' ? [INJECTION_SCOPE] : undefined),
    });
    const loaded = await registry.loadGrammar('text.html.markdown');
    assert.ok(loaded, 'the Markdown stand-in grammar loads');
    grammar = loaded;
  });

  test('gives the marker of each direction its own scope', () => {
    matchSnapshot(
      'directions',
      [
        '[Que son las Máquinas Virtuales ⬅️](QueSonVM.md)',
        '[Hipervisores ➡️](HipervisoresVM.md)',
        '[Hipervisores ⬆️](../HipervisoresVM.md)',
        '- [Hipervisores de Tipo 1 ⬇️](Hipervisores/Tipo1.md)',
        '[Que es Docker 📎](QueSonDocker.md)',
      ].join('\n'),
    );
  });

  for (const [direction, list] of Object.entries(markers)) {
    for (const marker of list) {
      for (const variant of [marker, `${marker}\uFE0F`]) {
        const codePoints = [...variant].map((c) => `U+${c.codePointAt(0)!.toString(16).toUpperCase()}`).join(' ');
        test(`scopes ${codePoints} as a ${direction} marker and the whole marker as one token`, () => {
          const tokens = tokensOf(`[Página ${variant}](pagina.md#sección)`);
          const markerToken = tokens.find((t) => t.scopes.includes(`keyword.other.kbnav.nav.${direction}.markdown`));
          assert.ok(markerToken, `no ${direction} marker token in ${JSON.stringify(tokens)}`);
          assert.equal(markerToken.text, variant);
          const dest = tokens.find((t) => t.scopes.includes('meta.nav.destination.kbnav.markdown'));
          assert.equal(dest?.text, 'pagina.md#sección');
        });
      }
    }
  }

  test('distinguishes a marker with U+FE0F from one without', () => {
    matchSnapshot('variation-selector', ['[Origen de Docker ⏭️](OrigenDocker.md)', '[Origen de Docker ⏭](OrigenDocker.md)'].join('\n'));
  });

  test('marks a backslash in the destination as deprecated, and only there', () => {
    matchSnapshot('backslash', ['[#Hipervisores ➡️](vm_vs_docker_benchmark\\Info_Completa\\VM\\QueSon.md)', '[Tipo 2 \\[beta\\] ➡️](VM/Tipo2.md)'].join('\n'));
    const tokens = tokensOf('[Hipervisores ➡️](VM\\HipervisoresVM.md)');
    const invalid = tokens.filter((t) => t.scopes.includes('invalid.deprecated.backslash.kbnav.markdown'));
    assert.deepEqual(invalid.map((t) => t.text), ['\\']);
    assert.ok(invalid[0].scopes.includes('meta.nav.destination.kbnav.markdown'));
  });

  test('leaves ordinary links and images to the Markdown grammar', () => {
    const source = [
      'Ver la [documentación oficial](https://docs.docker.com/) y el [Glosario](Glosario.md#imagen).',
      '![Diagrama ➡️ de capas](img/capas.svg)',
      '\\[Hipervisores ➡️](HipervisoresVM.md)',
      '[Hipervisores](HipervisoresVM.md) ➡️',
    ].join('\n');
    matchSnapshot('ordinary-links', source);
    for (const tokens of tokenize(source)) assert.deepEqual(navScopes(tokens), []);
  });

  test('does not highlight a navigation link inside inline code or a code block', () => {
    const source = [
      'Se escribe así: `[Página siguiente ➡️](Siguiente.md)` al final de la página.',
      '```markdown',
      '[Hipervisores ⬅️](HipervisoresVM.md)',
      '```',
      '',
      '    [Hipervisores ⬅️](HipervisoresVM.md)',
    ].join('\n');
    matchSnapshot('code', source);
    for (const tokens of tokenize(source)) assert.deepEqual(navScopes(tokens), []);
  });

  test('highlights two navigation links on one line separately', () => {
    const line = '[Diferencias ⏮️](Diferencias.md) · [Índice ⬆️](../README.md) · [texto](otro.md)';
    matchSnapshot('two-links', line);
    const tokens = tokensOf(line);
    assert.deepEqual(
      tokens.filter((t) => t.scopes.includes('meta.link.inline.nav.kbnav.markdown') && t.text.endsWith('.md')).map((t) => t.text),
      ['Diferencias.md', '../README.md'],
    );
    assert.ok(tokens.find((t) => t.text === 'otro.md')?.scopes.includes('meta.link.inline.markdown'));
    assert.ok(!tokens.find((t) => t.text === 'otro.md')?.scopes.some((s) => s.includes('kbnav')));
  });

  test('highlights navigation links in headings, lists and quotes, and keeps a link title apart from the destination', () => {
    matchSnapshot(
      'block-contexts',
      [
        '# [Docker 📎](Docker/OrigenDocker.md)',
        '',
        '- [Hipervisores de Tipo 2 ⏬](Hipervisores/Tipo2.md)',
        '',
        '> [Índice ⏫](../README.md)',
        '',
        '[Conclusión ▶️](<VM_vs_Docker/Conclusión.md> "Fin")',
      ].join('\n'),
    );
  });

  test('keeps a line that starts with a navigation link inside its paragraph', () => {
    const [first, second] = tokenize('[Hipervisores ◀️](HipervisoresVM.md)\ny el texto sigue aquí.');
    for (const token of [...first, ...second]) assert.ok(token.scopes.includes('meta.paragraph.markdown'), JSON.stringify(token));
    assert.ok(first.some((t) => t.scopes.includes('keyword.other.kbnav.nav.back.markdown')));
  });
});
