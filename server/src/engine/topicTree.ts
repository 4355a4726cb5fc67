import type { KnowledgeBase } from './knowledgeBase';
import { comparePositions } from './positions';
import { CancelledError, noCancellation, type CancellationToken, type Heading, type KbDiagnostic, type Position } from './types';

/** Problems by severity. */
export interface ProblemCounts {
  error: number;
  warning: number;
  information: number;
  hint: number;
}

/** A node of the topic tree, with workspace-relative paths (the host turns them into URIs). */
export interface TopicTreeNode {
  /** Stable within one tree: `topic:<heading id>`, `unreached`, or the page path under its parent's id. */
  id: string;
  kind: 'topic' | 'page' | 'unreached';
  label: string;
  /** The page; for a topic, the page its heading itself links to, if it does. */
  path?: string;
  problems: ProblemCounts;
  children: TopicTreeNode[];
}

/** What the host adds to a topic tree: localized labels, and a token to stop a superseded build. */
export interface TopicTreeOptions {
  /** The label of the group of pages no topic reaches (localized by the host). */
  unreachedLabel: string;
  token?: CancellationToken;
}

/** Counts diagnostics by severity. */
export function countProblems(diagnostics: readonly KbDiagnostic[]): ProblemCounts {
  const counts: ProblemCounts = { error: 0, warning: 0, information: 0, hint: 0 };
  for (const d of diagnostics) counts[d.severity]++;
  return counts;
}

function addCounts(into: ProblemCounts, more: ProblemCounts): ProblemCounts {
  into.error += more.error;
  into.warning += more.warning;
  into.information += more.information;
  into.hint += more.hint;
  return into;
}

interface Topic {
  heading: Heading;
  /** Pages the topic's section links to, in the order of the section. */
  seeds: string[];
  /** The page the heading itself links to. */
  headingTarget?: string;
}

/**
 * The topics of the main entry page (the first of `settings.entryPages` that exists), as a reader of
 * the knowledge base sees them:
 *
 * - The first heading is the page's title when it is one of the shallowest; the topics are the
 *   shallowest headings after it (`# Máquinas Virtuales`, `# Docker`, `# Máquinas Virtuales vs. Docker`).
 *   A page with a title only is one topic.
 * - A topic's pages are those its section links to, and those reached from them along the navigation
 *   chain (forward links, and down links as a detour), in chain order, until the chain reaches a page
 *   another topic's section links to. Each page appears under one topic only.
 * - The entry page comes first; then the topics; then the group of pages no topic reaches.
 *
 * Each node counts the problems of its page, or of the pages under it.
 */
export function buildTopicTree(kb: KnowledgeBase, options: TopicTreeOptions): TopicTreeNode[] {
  const token = options.token ?? noCancellation;
  const entry = kb.entryPages()[0];
  const counts = new Map<string, ProblemCounts>();
  const problemsOf = (path: string) => {
    let c = counts.get(path);
    if (!c) counts.set(path, (c = countProblems(kb.diagnostics(path))));
    return c;
  };
  const pageNode = (path: string, parentId: string): TopicTreeNode => ({
    id: parentId ? `${parentId}/${path}` : path,
    kind: 'page',
    label: kb.page(path)!.title,
    path,
    problems: { ...problemsOf(path) },
    children: [],
  });

  const placed = new Set<string>();
  const roots: TopicTreeNode[] = [];
  if (entry) {
    placed.add(entry);
    roots.push(pageNode(entry, ''));
    const topics = topicsOf(kb, entry);
    const claimedBy = new Map<string, Topic>();
    for (const topic of topics) for (const seed of topic.seeds) if (!claimedBy.has(seed)) claimedBy.set(seed, topic);
    const usedIds = new Set<string>();
    for (const topic of topics) {
      if (token.isCancellationRequested) throw new CancelledError();
      let id = `topic:${topic.heading.id}`;
      for (let n = 1; usedIds.has(id); n++) id = `topic:${topic.heading.id}-${n}`;
      usedIds.add(id);
      const pages = chainOrder(kb, topic, claimedBy, placed, entry);
      const node: TopicTreeNode = {
        id,
        kind: 'topic',
        label: kb.markers.strip(topic.heading.text).replace(/\s+/g, ' ').trim() || topic.heading.text,
        ...(topic.headingTarget ? { path: topic.headingTarget } : {}),
        problems: { error: 0, warning: 0, information: 0, hint: 0 },
        children: pages.map((p) => pageNode(p, id)),
      };
      for (const child of node.children) addCounts(node.problems, child.problems);
      roots.push(node);
    }
  }
  const rest = kb
    .pagePaths()
    .filter((p) => !placed.has(p))
    .sort();
  if (rest.length) {
    const group: TopicTreeNode = { id: 'unreached', kind: 'unreached', label: options.unreachedLabel, problems: { error: 0, warning: 0, information: 0, hint: 0 }, children: rest.map((p) => pageNode(p, 'unreached')) };
    for (const child of group.children) addCounts(group.problems, child.problems);
    roots.push(group);
  }
  return roots;
}

/** The topic headings of the entry page and the pages each section links to. */
function topicsOf(kb: KnowledgeBase, entry: string): Topic[] {
  const page = kb.page(entry)!;
  const headings = page.facts.headings;
  if (!headings.length) return [];
  const minDepth = Math.min(...headings.map((h) => h.depth));
  const hasTitle = headings[0].depth === minDepth;
  const rest = hasTitle ? headings.slice(1) : headings;
  let topicHeadings: Heading[];
  if (rest.length) {
    const topicDepth = Math.min(...rest.map((h) => h.depth));
    topicHeadings = rest.filter((h) => h.depth === topicDepth);
  } else topicHeadings = [headings[0]];
  const onlyTitle = hasTitle && rest.length === 0;

  return topicHeadings.map((heading, index) => {
    const start: Position = onlyTitle ? { line: 0, character: 0 } : heading.range.start;
    const next = onlyTitle ? undefined : headings.find((h) => comparePositions(h.range.start, heading.range.start) > 0 && h.depth <= heading.depth);
    const end: Position | undefined = next?.range.start ?? (index + 1 < topicHeadings.length ? topicHeadings[index + 1].range.start : undefined);
    const seeds: string[] = [];
    let headingTarget: string | undefined;
    page.facts.links.forEach((link, i) => {
      if (comparePositions(link.range.start, start) < 0 || (end && comparePositions(link.range.start, end) >= 0)) return;
      const r = page.resolutions[i];
      if (link.image || r.kind !== 'found' || r.isDirectory || !kb.isPage(r.target) || r.target === entry) return;
      if (!seeds.includes(r.target)) seeds.push(r.target);
      if (!onlyTitle && comparePositions(link.range.start, heading.range.end) < 0) headingTarget ??= r.target;
    });
    return { heading, seeds, ...(headingTarget ? { headingTarget } : {}) };
  });
}

/** Pages a page leads to by its `down` links, in the page's order. */
function downTargets(kb: KnowledgeBase, path: string): string[] {
  const page = kb.page(path)!;
  const targets: string[] = [];
  page.facts.links.forEach((link, i) => {
    const r = page.resolutions[i];
    if (link.nav === 'down' && r.kind === 'found' && kb.isPage(r.target)) targets.push(r.target);
  });
  return targets;
}

/**
 * A topic's pages in navigation-chain order: from each seed no other seed of the topic leads to,
 * follow the chain (down links first, as a detour, then the forward link), stopping at pages that
 * are placed already or that another topic claims. Seeds the chain never reaches follow, in order.
 */
function chainOrder(kb: KnowledgeBase, topic: Topic, claimedBy: Map<string, Topic>, placed: Set<string>, entry: string): string[] {
  const order: string[] = [];
  const mine = (path: string) => path !== entry && !placed.has(path) && (claimedBy.get(path) ?? topic) === topic;
  const walk = (start: string) => {
    for (let path: string | undefined = start; path && mine(path); path = kb.neighbour(path, 'forward')) {
      placed.add(path);
      order.push(path);
      for (const down of downTargets(kb, path)) if (mine(down)) walk(down);
    }
  };
  const reachedFromSeeds = new Set<string>();
  for (const seed of topic.seeds) {
    const next = kb.neighbour(seed, 'forward');
    if (next) reachedFromSeeds.add(next);
    downTargets(kb, seed).forEach((d) => reachedFromSeeds.add(d));
  }
  for (const seed of topic.seeds) if (!reachedFromSeeds.has(seed)) walk(seed);
  for (const seed of topic.seeds) walk(seed);
  return order;
}
