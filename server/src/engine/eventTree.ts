/**
 * The syntax tree `parsePage` reads, built straight from micromark's events: the nodes and fields
 * `mdast-util-from-markdown` (with the GFM and front-matter extensions) would give them, by the same
 * rules, but only those the facts are made of. Building the whole mdast tree costs about a third of
 * reading a page (it copies its context for every event); this costs a fraction of that.
 *
 * What it leaves out changes no fact: list items (a list's blocks are its children), the contents
 * of code blocks, and the literal autolinks GFM's transform finds in text afterwards (it makes nodes
 * without positions, which the facts skip). Nodes share micromark's points, final once its events
 * are. The facts read from this tree are checked against those read from remark-gfm's by the
 * differential tests (thin.test.ts), which read generated pages and token soup both ways.
 */
import { decodeNamedCharacterReference } from 'decode-named-character-reference';
import { parse, postprocess, preprocess } from 'micromark';
import { decodeNumericCharacterReference } from 'micromark-util-decode-numeric-character-reference';
import { decodeString } from 'micromark-util-decode-string';
import { normalizeIdentifier } from 'micromark-util-normalize-identifier';
import type { Event, Extension, Point, Token } from 'micromark-util-types';
import type { Nodes, Root } from 'mdast';
import { toString } from 'mdast-util-to-string';

/** A node as it is built: mdast's fields, loosely typed (each kind sets its own). */
interface Built {
  type: string;
  children?: Built[];
  position?: { start: Point; end: Point | undefined };
  value?: string;
  [field: string]: unknown;
}

/** Where mdast keeps line endings as text (its `canContainEols`, with GFM's `delete`). */
const keepsLineEndings = new Set(['emphasis', 'fragment', 'heading', 'paragraph', 'strong', 'delete']);

/** The tree of `text` as micromark reads it with `extensions`. */
export function eventTree(text: string, extensions: Extension[]): Root {
  const events = postprocess(parse({ extensions }).document().write(preprocess()(text, undefined, true)));
  return compile(events);
}

function compile(events: Event[]): Root {
  const root: Built = { type: 'root', children: [] };
  const stack: Built[] = [root];
  let atHardBreak = false;
  let slurpLineEnding = false;
  let inReference = false;
  let inTable = false;
  let referenceType: string | undefined;
  let numericReference: number | undefined;

  const top = () => stack[stack.length - 1];
  const open = (node: Built, token: Token): void => {
    top().children!.push(node);
    node.position = { start: token.start, end: undefined };
    stack.push(node);
  };
  const close = (token: Token): Built => {
    const node = stack.pop()!;
    node.position!.end = token.end;
    return node;
  };
  const buffer = (): void => {
    stack.push({ type: 'fragment', children: [] });
  };
  const resume = (): string => toString(stack.pop() as Nodes);
  /** mdast's `onenterdata`: text continues the text node its parent ends with, or starts one. */
  const enterText = (token: Token): Built => {
    const siblings = top().children!;
    let tail = siblings[siblings.length - 1];
    if (!tail || tail.type !== 'text') {
      tail = { type: 'text', value: '', position: { start: token.start, end: undefined } };
      siblings.push(tail);
    }
    stack.push(tail);
    return tail;
  };
  const exitText = (token: Token, value: string): void => {
    const tail = stack.pop()!;
    tail.value += value;
    tail.position!.end = token.end;
  };
  /** The node `depth` places under the top of the stack (1: the parent of the node being built). */
  const below = (depth: number) => stack[stack.length - 1 - depth];

  for (let i = 0; i < events.length; i++) {
    const [kind, token, context] = events[i];
    if (kind === 'enter') {
      switch (token.type as string) {
        case 'data':
        case 'characterEscape':
        case 'characterReference':
        case 'codeTextData':
        case 'htmlFlowData':
        case 'htmlTextData':
        case 'autolinkProtocol':
        case 'autolinkEmail':
        case 'literalAutolinkEmail':
        case 'literalAutolinkHttp':
        case 'literalAutolinkWww':
          enterText(token);
          break;
        case 'paragraph':
          open({ type: 'paragraph', children: [] }, token);
          break;
        case 'atxHeading':
        case 'setextHeading':
          open({ type: 'heading', depth: 0, children: [] }, token);
          break;
        case 'blockQuote':
          open({ type: 'blockquote', children: [] }, token);
          break;
        case 'listOrdered':
        case 'listUnordered':
          open({ type: 'list', children: [] }, token);
          break;
        case 'codeFenced':
        case 'codeIndented': {
          // A leaf: its text holds no link, and the facts read its source.
          open({ type: 'code', value: '' }, token);
          let j = i + 1;
          while (events[j][1] !== token) j++;
          i = j;
          close(token);
          break;
        }
        case 'thematicBreak':
          open({ type: 'thematicBreak' }, token);
          break;
        case 'htmlFlow':
        case 'htmlText':
          open({ type: 'html', value: '' }, token);
          buffer();
          break;
        case 'definition':
          open({ type: 'definition', identifier: '', label: '', title: null, url: '' }, token);
          break;
        case 'definitionDestinationString':
        case 'definitionLabelString':
        case 'definitionTitleString':
        case 'label':
        case 'referenceString':
        case 'resourceDestinationString':
        case 'resourceTitleString':
        case 'gfmFootnoteCallString':
        case 'gfmFootnoteDefinitionLabelString':
          buffer();
          break;
        case 'codeText':
          open({ type: 'inlineCode', value: '' }, token);
          buffer();
          break;
        case 'emphasis':
          open({ type: 'emphasis', children: [] }, token);
          break;
        case 'strong':
          open({ type: 'strong', children: [] }, token);
          break;
        case 'strikethrough':
          open({ type: 'delete', children: [] }, token);
          break;
        case 'hardBreakEscape':
        case 'hardBreakTrailing':
          open({ type: 'break' }, token);
          break;
        case 'link':
        case 'autolink':
        case 'literalAutolink':
          open({ type: 'link', title: null, url: '', children: [] }, token);
          break;
        case 'image':
          open({ type: 'image', title: null, url: '', alt: null }, token);
          break;
        case 'reference':
          referenceType = 'collapsed';
          break;
        case 'gfmFootnoteCall':
          open({ type: 'footnoteReference', identifier: '', label: '' }, token);
          break;
        case 'gfmFootnoteDefinition':
          open({ type: 'footnoteDefinition', identifier: '', label: '', children: [] }, token);
          break;
        case 'table':
          open({ type: 'table', children: [] }, token);
          inTable = true;
          break;
        case 'tableRow':
          open({ type: 'tableRow', children: [] }, token);
          break;
        case 'tableData':
        case 'tableHeader':
          open({ type: 'tableCell', children: [] }, token);
          break;
        case 'yaml':
        case 'toml':
          open({ type: token.type, value: '' }, token);
          buffer();
          break;
      }
      continue;
    }

    switch (token.type as string) {
      case 'data':
      case 'characterEscapeValue':
      case 'codeTextData':
      case 'htmlFlowData':
      case 'htmlTextData':
        exitText(token, context.sliceSerialize(token));
        break;
      case 'yamlValue':
      case 'tomlValue':
        enterText(token);
        exitText(token, context.sliceSerialize(token));
        break;
      case 'characterReferenceMarkerNumeric':
        numericReference = 10;
        break;
      case 'characterReferenceMarkerHexadecimal':
        numericReference = 16;
        break;
      case 'characterReferenceValue': {
        const value = numericReference ? decodeNumericCharacterReference(context.sliceSerialize(token), numericReference) : decodeNamedCharacterReference(context.sliceSerialize(token));
        numericReference = undefined;
        top().value += value || '';
        break;
      }
      case 'characterReference':
        stack.pop()!.position!.end = token.end;
        break;
      case 'autolinkProtocol':
      case 'literalAutolinkHttp':
        exitText(token, context.sliceSerialize(token));
        top().url = context.sliceSerialize(token);
        break;
      case 'literalAutolinkWww':
        exitText(token, context.sliceSerialize(token));
        top().url = 'http://' + context.sliceSerialize(token);
        break;
      case 'autolinkEmail':
      case 'literalAutolinkEmail':
        exitText(token, context.sliceSerialize(token));
        top().url = 'mailto:' + context.sliceSerialize(token);
        break;
      case 'lineEnding':
        if (atHardBreak) {
          const siblings = top().children!;
          siblings[siblings.length - 1].position!.end = token.end;
          atHardBreak = false;
        } else if (!slurpLineEnding && keepsLineEndings.has(top().type)) {
          enterText(token);
          exitText(token, context.sliceSerialize(token));
        }
        break;
      case 'paragraph': {
        const node = top();
        if (node.taskListItem && below(1).type === 'list') {
          // As GFM's task list items: the space after the box is not the paragraph's.
          const head = node.children![0];
          if (head?.type === 'text') {
            head.value = head.value!.slice(1);
            if (!head.value) node.children!.shift();
            else {
              head.position!.start = { ...head.position!.start, column: head.position!.start.column + 1, offset: head.position!.start.offset + 1 };
              node.position!.start = { ...head.position!.start };
            }
          }
        }
        close(token);
        break;
      }
      case 'taskListCheckValueChecked':
      case 'taskListCheckValueUnchecked':
        top().taskListItem = true;
        break;
      case 'atxHeadingSequence': {
        const node = top();
        if (!node.depth) node.depth = context.sliceSerialize(token).length;
        break;
      }
      case 'setextHeadingText':
        slurpLineEnding = true;
        break;
      case 'setextHeadingLineSequence':
        top().depth = context.sliceSerialize(token).codePointAt(0) === 61 ? 1 : 2;
        break;
      case 'setextHeading':
        slurpLineEnding = false;
        close(token);
        break;
      case 'atxHeading':
      case 'blockQuote':
      case 'listOrdered':
      case 'listUnordered':
      case 'thematicBreak':
      case 'definition':
      case 'emphasis':
      case 'strong':
      case 'strikethrough':
      case 'autolink':
      case 'literalAutolink':
      case 'gfmFootnoteCall':
      case 'gfmFootnoteDefinition':
      case 'tableRow':
      case 'tableData':
      case 'tableHeader':
        close(token);
        break;
      case 'table':
        close(token);
        inTable = false;
        break;
      case 'hardBreakEscape':
      case 'hardBreakTrailing':
        close(token);
        atHardBreak = true;
        break;
      case 'htmlFlow':
      case 'htmlText': {
        const value = resume();
        close(token).value = value;
        break;
      }
      case 'codeText': {
        let value = resume();
        if (inTable) value = value.replace(/\\([\\|])/g, (all, c: string) => (c === '|' ? c : all));
        close(token).value = value;
        break;
      }
      case 'yaml':
      case 'toml': {
        const value = resume();
        close(token).value = value.replace(/^(\r?\n|\r)|(\r?\n|\r)$/g, '');
        break;
      }
      case 'definitionLabelString': {
        const label = resume();
        Object.assign(top(), { label, identifier: normalizeIdentifier(context.sliceSerialize(token)).toLowerCase() });
        break;
      }
      case 'definitionDestinationString':
      case 'resourceDestinationString': {
        const url = resume();
        top().url = url;
        break;
      }
      case 'definitionTitleString':
      case 'resourceTitleString': {
        const title = resume();
        top().title = title;
        break;
      }
      case 'gfmFootnoteCallString':
      case 'gfmFootnoteDefinitionLabelString': {
        const label = resume();
        Object.assign(top(), { label, identifier: normalizeIdentifier(context.sliceSerialize(token)).toLowerCase() });
        break;
      }
      case 'labelText': {
        const string = context.sliceSerialize(token);
        Object.assign(below(1), { label: decodeString(string), identifier: normalizeIdentifier(string).toLowerCase() });
        break;
      }
      case 'label': {
        const fragment = top();
        const value = resume();
        const node = top();
        inReference = true;
        if (node.type === 'link') node.children = fragment.children;
        else node.alt = value;
        break;
      }
      case 'resource':
        inReference = false;
        break;
      case 'referenceString': {
        const label = resume();
        Object.assign(top(), { label, identifier: normalizeIdentifier(context.sliceSerialize(token)).toLowerCase() });
        referenceType = 'full';
        break;
      }
      case 'link':
      case 'image': {
        const node = top();
        if (inReference) {
          node.type += 'Reference';
          node.referenceType = referenceType ?? 'shortcut';
          delete node.url;
          delete node.title;
        } else {
          delete node.identifier;
          delete node.label;
        }
        referenceType = undefined;
        close(token);
        break;
      }
    }
  }
  // Line endings and blank lines are not nodes: the root spans its first to its last event, as in mdast.
  if (events.length) root.position = { start: events[0][1].start, end: events[events.length - 2][1].end };
  else root.position = { start: { line: 1, column: 1, offset: 0, _index: 0, _bufferIndex: -1 }, end: { line: 1, column: 1, offset: 0, _index: 0, _bufferIndex: -1 } };
  return root as unknown as Root;
}
