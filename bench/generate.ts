/**
 * Deterministic generator of benchmark knowledge bases: nested topic folders, Spanish accented titles,
 * ⬅️/➡️ chains, an index README.md, 4–8 cross links per note (~2 KB per note), a small rate of planted
 * problems of every diagnostic code, and tricky links that are valid.
 *
 * It writes the corpus and `planted.json`, the ground truth (file, 1-based line, code) from which
 * precision and recall of every tool are computed. The ground truth is derived from how the corpus was
 * built, never from any checker: the generator reserves the pages a planted problem touches, so that each
 * planted problem yields exactly one diagnostic and nothing else does.
 *
 *   node out/bench/generate.js --notes 1000 [--seed 1] [--rate 0.005] --out DIR
 */
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import * as nodePath from 'node:path';
import GithubSlugger from 'github-slugger';

/** Bumped whenever the output for a given seed changes: cached corpora are keyed by it. */
export const generatorVersion = 5;

export const plantedCodes = [
  'missing-file',
  'missing-fragment',
  'backslash-path',
  'root-relative-path',
  'case-mismatch',
  'unicode-mismatch',
  'absolute-path',
  'outside-workspace',
  'self-link',
  'label-mismatch',
  'nav-not-reciprocal',
  'orphan-page',
  'undefined-reference',
] as const;

export type PlantedCode = (typeof plantedCodes)[number];

export interface PlantedProblem {
  /** Workspace-relative path, exact bytes of the name on disk (NFD where the file is NFD). */
  file: string;
  /** 1-based line where a checker should report it. */
  line: number;
  code: PlantedCode;
  /** Other lines where a report means the same problem (the definition of a reference-style link). */
  alt?: number[];
  /** What was planted, for people reading a miss. */
  detail: string;
}

export interface GroundTruth {
  generator: number;
  seed: number;
  notes: number;
  rate: number;
  /** Markdown files written (notes, orphans, README indexes). */
  pages: number;
  /** All files written (pages and images). */
  files: number;
  bytes: number;
  /** Links written in pages (inline, reference and HTML), for orientation. */
  links: number;
  problems: PlantedProblem[];
}

export interface GenerateOptions {
  notes: number;
  seed: number;
  /** Planted problems per note, per code (at least one of each). */
  rate?: number;
}

/** Told about every valid cross link written (the LSP benchmark finds a heading's dependents with it). */
export interface LinkObserver {
  link(from: string, to: string, fragment: string | undefined): void;
  /** Every page: its path and the source text of its headings, H1 first, with their ids. */
  page?(path: string, headings: readonly { source: string; id: string }[]): void;
}

// ---- Seeded randomness ---------------------------------------------------------------------------

/** mulberry32: small, fast, good enough for shaping a corpus; the same seed gives the same corpus. */
class Random {
  private state: number;

  constructor(seed: number) {
    this.state = seed >>> 0 || 0x9e3779b9;
  }

  next(): number {
    let t = (this.state = (this.state + 0x6d2b79f5) >>> 0);
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  }

  int(min: number, max: number): number {
    return min + Math.floor(this.next() * (max - min + 1));
  }

  chance(p: number): boolean {
    return this.next() < p;
  }

  pick<T>(list: readonly T[]): T {
    return list[Math.floor(this.next() * list.length)];
  }

  shuffle<T>(list: T[]): T[] {
    for (let i = list.length - 1; i > 0; i--) {
      const j = Math.floor(this.next() * (i + 1));
      [list[i], list[j]] = [list[j], list[i]];
    }
    return list;
  }
}

// ---- Vocabulary ----------------------------------------------------------------------------------

interface TopicSeed {
  folder: string;
  name: string;
  concepts: string[];
  subs: string[];
}

const topicSeeds: TopicSeed[] = [
  { folder: 'VM', name: 'Máquinas Virtuales', concepts: ['hipervisores', 'máquinas virtuales', 'instantáneas', 'discos virtuales', 'redes virtuales', 'migración en caliente', 'plantillas', 'recursos compartidos', 'emulación', 'paravirtualización'], subs: ['Hipervisores', 'Almacenamiento', 'Redes'] },
  { folder: 'Docker', name: 'Docker', concepts: ['contenedores', 'imágenes', 'volúmenes', 'capas', 'registros', 'redes de contenedores', 'Dockerfile', 'Compose', 'orquestación', 'límites de recursos'], subs: ['Imágenes', 'Volúmenes', 'Compose'] },
  { folder: 'Redes', name: 'Redes', concepts: ['direcciones IP', 'subredes', 'enrutamiento', 'DNS', 'cortafuegos', 'VLAN', 'protocolos', 'puertos', 'túneles', 'balanceo de carga'], subs: ['Protocolos', 'Seguridad', 'Práctica'] },
  { folder: 'Linux', name: 'Linux', concepts: ['permisos', 'procesos', 'servicios', 'paquetes', 'el núcleo', 'sistemas de archivos', 'usuarios', 'la terminal', 'registros del sistema', 'arranque'], subs: ['Administración', 'Comandos', 'Núcleo'] },
  { folder: 'Kubernetes', name: 'Kubernetes', concepts: ['pods', 'despliegues', 'servicios de red', 'espacios de nombres', 'mapas de configuración', 'secretos', 'nodos', 'escalado', 'almacenamiento persistente', 'controladores'], subs: ['Conceptos', 'Operación', 'Ejercicios'] },
  { folder: 'Seguridad', name: 'Seguridad Informática', concepts: ['contraseñas', 'cifrado', 'certificados', 'autenticación', 'vulnerabilidades', 'auditorías', 'copias de seguridad', 'políticas de acceso', 'amenazas', 'criptografía'], subs: ['Criptografía', 'Auditoría', 'Casos'] },
  { folder: 'Bases_de_Datos', name: 'Bases de Datos', concepts: ['tablas', 'índices', 'consultas', 'transacciones', 'normalización', 'réplicas', 'esquemas', 'procedimientos almacenados', 'vistas', 'optimización de consultas'], subs: ['SQL', 'NoSQL', 'Diseño'] },
  { folder: 'Programación', name: 'Programación', concepts: ['funciones', 'variables', 'bucles', 'recursión', 'estructuras de datos', 'excepciones', 'módulos', 'pruebas unitarias', 'depuración', 'algoritmos de búsqueda'], subs: ['Fundamentos', 'Estructuras', 'Prácticas'] },
  { folder: 'Git', name: 'Git', concepts: ['ramas', 'confirmaciones', 'fusiones', 'conflictos', 'etiquetas', 'repositorios remotos', 'historial', 'reescritura del historial', 'flujos de trabajo', 'submódulos'], subs: ['Básico', 'Avanzado', 'Colaboración'] },
  { folder: 'Nube', name: 'Computación en la Nube', concepts: ['regiones', 'instancias', 'almacenamiento de objetos', 'funciones sin servidor', 'facturación', 'redes privadas', 'identidades', 'escalado automático', 'colas de mensajes', 'monitorización'], subs: ['Servicios', 'Costes', 'Arquitectura'] },
  { folder: 'Sistemas_Operativos', name: 'Sistemas Operativos', concepts: ['planificación', 'memoria virtual', 'interrupciones', 'hilos', 'semáforos', 'paginación', 'llamadas al sistema', 'controladores de dispositivo', 'interbloqueos', 'sistemas de ficheros'], subs: ['Procesos', 'Memoria', 'Concurrencia'] },
  { folder: 'Algoritmos', name: 'Algoritmos', concepts: ['ordenación', 'búsqueda binaria', 'grafos', 'programación dinámica', 'complejidad', 'árboles', 'tablas hash', 'algoritmos voraces', 'divide y vencerás', 'colas de prioridad'], subs: ['Ordenación', 'Grafos', 'Análisis'] },
];

const titleTemplates = [
  'Introducción a {c}', '{C}: conceptos básicos', 'Configuración de {c}', 'Gestión de {c}', '{C} en la práctica',
  'Errores comunes con {c}', 'Optimización de {c}', 'Historia de {c}', 'Ventajas y desventajas de {c}',
  'Conceptos avanzados sobre {c}', 'Buenas prácticas con {c}', 'Depuración de {c}', 'Migración de {c}',
  'Automatización de {c}', 'Administración de {c}', 'Ejercicios resueltos sobre {c}', '¿Cómo funcionan {c}?',
  'Resumen sobre {c}', 'Preguntas frecuentes sobre {c}', 'Seguridad en {c}', 'Diseño de {c}', 'Monitorización de {c}',
];

const sectionTemplates = [
  '¿Qué es {c}?', 'Configuración básica', 'Instalación en Linux', 'Ejemplo práctico', 'Ventajas', 'Desventajas',
  'Comparación con {c2}', 'Errores frecuentes', 'Cómo empezar: guía rápida', 'Conceptos clave (introducción)',
  'Configuración avanzada de {c}', '🚀 Inicio rápido', 'Depuración paso a paso', 'Notas de la clase', 'Ejercicio',
  'Solución del ejercicio', 'Más información', '¡Atención! Errores típicos', 'Relación con {c2}', 'Línea de órdenes',
  'El comando `{cmd}`', 'Instalación y configuración', 'Diseño y organización',
];

const commands = ['docker ps', 'git log --oneline', 'kubectl get pods', 'ls -la', 'ip addr', 'systemctl status', 'ssh-keygen'];

const words = (
  'el la los las un una de del en con para por sobre entre desde hasta cuando donde porque aunque también además ' +
  'sistema proceso máquina imagen red servidor cliente archivo carpeta configuración aplicación servicio usuario ' +
  'ejecución memoria núcleo disco volumen capa registro versión instalación comparación función módulo ' +
  'rápido lento sencillo práctico útil común habitual necesario básico avanzado próximo último único ' +
  'permite ofrece define guarda comparte ejecuta arranca detiene crea elimina revisa compara explica ' +
  'ejemplo práctica lección ejercicio repaso solución pregunta respuesta clase semana apuntes'
).split(' ');

const alertKinds = ['NOTE', 'TIP', 'IMPORTANT', 'WARNING', 'CAUTION'];

const stopWords = new Set(['de', 'la', 'los', 'las', 'el', 'en', 'y', 'a', 'con', 'para', 'del', 'un', 'una', 'que', 'sobre', 'como', 'al']);

// ---- Helpers that mirror how GitHub and the checkers read names, written independently of the engine ----

function stripAccents(text: string): string {
  return text.normalize('NFD').replace(/\p{M}/gu, '').normalize('NFC');
}

function hasAccent(text: string): boolean {
  return stripAccents(text) !== text.normalize('NFC');
}

/** Title comparison key: case, accents, punctuation and symbols ignored. */
function titleKey(text: string): string {
  return stripAccents(text).toLowerCase().replace(/[^\p{L}\p{N}]+/gu, ' ').trim();
}

function containsRun(whole: string, part: string): boolean {
  return whole === part || ` ${whole} `.includes(` ${part} `);
}

function capitalize(text: string): string {
  return text.charAt(0).toUpperCase() + text.slice(1);
}

function dirOf(path: string): string {
  const i = path.lastIndexOf('/');
  return i < 0 ? '' : path.slice(0, i);
}

function baseOf(path: string): string {
  return path.slice(path.lastIndexOf('/') + 1);
}

/** The relative path from a page's folder to `to`, as an author writes it. */
function relative(fromPage: string, to: string): string {
  const from = dirOf(fromPage) ? dirOf(fromPage).split('/') : [];
  const target = to.split('/');
  let common = 0;
  while (common < from.length && common < target.length - 1 && from[common] === target[common]) common++;
  return [...from.slice(common).map(() => '..'), ...target.slice(common)].join('/');
}

function depthOf(path: string): number {
  return path.split('/').length - 1;
}

type PathStyle = 'plain' | 'spaces' | 'percent' | 'angle';

/** Writes a destination: as is, `%20` for spaces only, every byte beyond ASCII percent-encoded, or `<…>`. */
function destination(path: string, style: PathStyle, fragment = ''): string {
  const needsEncoding = /[ ()<>]/.test(path);
  if (style === 'angle') return `<${path}${fragment}>`;
  if (style === 'percent') return path.split('/').map((s) => encodeURIComponent(s)).join('/') + fragment;
  if (style === 'spaces' || needsEncoding) return path.replace(/ /g, '%20') + fragment;
  return path + fragment;
}

// ---- The model ---------------------------------------------------------------------------------------

interface Heading {
  /** The Markdown source of the heading text (closing `#`s included). */
  source: string;
  id: string;
  /** Written as a setext heading (text, then a line of `-`). */
  setext?: boolean;
}

interface Page {
  index: number;
  /** Exact path on disk (NFD for NFD pages). */
  path: string;
  title: string;
  topic: number;
  headings: Heading[];
  anchor?: string;
  prev?: Page;
  next?: Page;
  orphan: boolean;
  nfd: boolean;
  frontMatter: boolean;
  crlf: boolean;
  bom: boolean;
  /** Planted: the page that follows has no back link (or this page has no forward link). */
  omitBack: boolean;
  omitForward: boolean;
  /** Reserved by a planted problem: nothing else is planted here. */
  reserved: boolean;
  plant?: Plant;
}

type Plant =
  | { code: 'missing-file' | 'missing-fragment' | 'backslash-path' | 'root-relative-path' | 'case-mismatch' | 'unicode-mismatch' | 'absolute-path' | 'outside-workspace' | 'self-link' | 'undefined-reference'; variant: number; target?: Page }
  | { code: 'label-mismatch'; direction: 'forward' | 'back'; named: Page }
  | { code: 'nav-not-reciprocal'; direction: 'forward' | 'back' }
  | { code: 'orphan-page' };

interface Topic {
  folder: string;
  name: string;
  seed: TopicSeed;
  pages: Page[];
  orphans: Page[];
}

/** A link written into a line; `planted` marks the one problem the line carries. */
interface Snippet {
  text: string;
  planted?: { code: PlantedCode; detail: string; definition?: string };
}

const imageFiles = ['img/arquitectura.svg', 'img/diagrama-red.svg', 'img/capas.svg', 'img/Esquema general.svg'];

function svg(label: string): string {
  return `<svg xmlns="http://www.w3.org/2000/svg" width="120" height="40"><text x="4" y="24">${label}</text></svg>\n`;
}

/**
 * Builds the corpus, calling `emit` for every file in a deterministic order, and returns the ground truth.
 * Pages are rendered one at a time: memory stays flat at 50k notes.
 */
export function generateCorpus(options: GenerateOptions, emit: (path: string, content: string) => void, observer?: LinkObserver): GroundTruth {
  const notes = Math.max(20, Math.floor(options.notes));
  const rate = options.rate ?? 0.005;
  const random = new Random(options.seed);
  const perCode = Math.max(1, Math.round(notes * rate));
  const orphanCount = perCode;
  const chainCount = notes - orphanCount;

  // 1. Topics and their folders.
  const topicCount = Math.max(2, Math.ceil(chainCount / 45));
  const topics: Topic[] = [];
  for (let t = 0; t < topicCount; t++) {
    const seed = topicSeeds[t % topicSeeds.length];
    const round = Math.floor(t / topicSeeds.length);
    topics.push({
      folder: round ? `${seed.folder}_${round + 1}` : seed.folder,
      name: round ? `${seed.name} (parte ${round + 1})` : seed.name,
      seed,
      pages: [],
      orphans: [],
    });
  }

  // 2. Pages: titles unique by comparison key, names unique per folder by case- and form-folded name.
  const titleKeys = new Set<string>();
  const folded = new Set<string>();
  const pages: Page[] = [];
  const newPage = (topic: number, orphan: boolean): Page => {
    const t = topics[topic];
    let title = '';
    for (let attempt = 0; ; attempt++) {
      const concept = random.pick(t.seed.concepts);
      title = random.pick(titleTemplates).replace('{c}', concept).replace('{C}', capitalize(concept));
      if (t.name !== t.seed.name) title += ` (parte ${t.folder.split('_').pop()})`;
      if (attempt > 30) title += ` (${['II', 'III', 'IV', 'V', 'VI', 'VII', 'VIII', 'IX', 'X'][attempt % 9]}${attempt})`;
      if (!titleKeys.has(titleKey(title))) break;
    }
    titleKeys.add(titleKey(title));
    const roll = random.next();
    const folder = roll < 0.4 ? t.folder : roll < 0.85 ? `${t.folder}/${random.pick(t.seed.subs)}` : `${t.folder}/${random.pick(t.seed.subs)}/${random.pick(['Ejemplos', 'Teoría', 'Laboratorio'])}`;
    const stem = fileStem(title, random);
    let name = `${stem}.md`;
    for (let n = 2; folded.has(`${folder}/${name}`.normalize('NFC').toLowerCase()) || /^(readme|index)\.md$/i.test(name); n++) name = `${stem}${stem.includes(' ') ? ' ' : ''}${n}.md`;
    folded.add(`${folder}/${name}`.normalize('NFC').toLowerCase());
    const page: Page = {
      index: pages.length,
      path: `${folder}/${name}`,
      title,
      topic,
      headings: [],
      orphan,
      nfd: false,
      frontMatter: random.chance(0.2),
      // Pages saved on Windows: CRLF line endings, some with a byte-order mark.
      crlf: random.chance(0.1),
      bom: random.chance(0.04),
      omitBack: false,
      omitForward: false,
      reserved: false,
    };
    page.headings = headingsFor(page, t, random);
    if (random.chance(0.08)) page.anchor = `nota-${page.index}`;
    pages.push(page);
    (orphan ? t.orphans : t.pages).push(page);
    return page;
  };
  for (let i = 0; i < chainCount; i++) newPage(i % topicCount, false);
  for (let i = 0; i < orphanCount; i++) newPage(random.int(0, topicCount - 1), true);

  // Chains: a topic's pages in order.
  for (const topic of topics) {
    topic.pages.forEach((page, i) => {
      page.prev = topic.pages[i - 1];
      page.next = topic.pages[i + 1];
    });
  }
  const chainPages = pages.filter((p) => !p.orphan);

  // 3. NFD names on disk: a few pages with accented names, as macOS writes them.
  const accented = random.shuffle(chainPages.filter((p) => hasAccent(baseOf(p.path))));
  const nfdPages = accented.slice(0, Math.max(1, Math.round(notes / 400)));
  for (const page of nfdPages) {
    page.nfd = true;
    page.path = `${dirOf(page.path)}/${baseOf(page.path).normalize('NFD')}`;
  }
  const nfcAccented = accented.slice(nfdPages.length);

  // 4. Planted problems: each on its own host page; nav problems reserve both ends of the link.
  const hosts = random.shuffle([...chainPages]);
  let cursor = 0;
  const takeHost = (accept: (p: Page) => boolean): Page | undefined => {
    for (let i = cursor; i < hosts.length; i++) {
      const page = hosts[i];
      if (page.reserved || !accept(page)) continue;
      [hosts[cursor], hosts[i]] = [hosts[i], hosts[cursor]];
      cursor++;
      page.reserved = true;
      return page;
    }
    return undefined;
  };
  const randomTarget = (host: Page, accept: (p: Page) => boolean = () => true): Page => {
    for (let attempt = 0; attempt < 200; attempt++) {
      const target = random.pick(chainPages);
      if (target !== host && accept(target)) return target;
    }
    return chainPages.find((p) => p !== host && accept(p))!;
  };
  const asciiName = (p: Page) => /^[A-Za-z0-9_./-]+$/.test(p.path);
  const hasUpper = (p: Page) => /[A-Z]/.test(baseOf(p.path)) && !p.nfd;

  for (const code of plantedCodes) {
    for (let k = 0; k < perCode; k++) {
      const variant = k;
      switch (code) {
        case 'orphan-page':
          break; // The orphan pages themselves.
        case 'label-mismatch': {
          const direction = k % 2 === 0 ? 'forward' : 'back';
          const host = takeHost((p) => (direction === 'forward' ? !!p.next && !p.next.reserved : !!p.prev && !p.prev.reserved));
          if (!host) break;
          const target = direction === 'forward' ? host.next! : host.prev!;
          target.reserved = true;
          const targetKey = titleKey(target.title);
          const stemKey = titleKey(baseOf(target.path).replace(/\.md$/, ''));
          const named = randomTarget(host, (p) => p !== target && !containsRun(targetKey, titleKey(p.title)) && titleKey(p.title) !== stemKey);
          host.plant = { code, direction, named };
          break;
        }
        case 'nav-not-reciprocal': {
          // forward: the next page has no back link (reported on this page's ➡️);
          // back: the previous page has no forward link (reported on this page's ⬅️).
          const direction = k % 2 === 0 ? 'forward' : 'back';
          const host = takeHost((p) => (direction === 'forward' ? !!p.next && !p.next.reserved : !!p.prev && !p.prev.reserved));
          if (!host) break;
          const other = direction === 'forward' ? host.next! : host.prev!;
          other.reserved = true;
          if (direction === 'forward') other.omitBack = true;
          else other.omitForward = true;
          host.plant = { code, direction };
          break;
        }
        case 'root-relative-path': {
          const host = takeHost((p) => depthOf(p.path) >= 1);
          if (!host) break;
          const target = randomTarget(host, (p) => !p.nfd && !existsRelative(host, p.path, pages));
          host.plant = { code, variant, target };
          break;
        }
        case 'case-mismatch': {
          const host = takeHost(() => true);
          if (!host) break;
          host.plant = { code, variant, target: randomTarget(host, hasUpper) };
          break;
        }
        case 'unicode-mismatch': {
          const host = takeHost(() => true);
          if (!host) break;
          // Even variants: NFC written, NFD on disk; odd: NFD written, NFC on disk.
          const pool = variant % 2 === 1 && nfcAccented.length ? nfcAccented : nfdPages;
          host.plant = { code, variant: pool === nfdPages ? 0 : 1, target: randomTarget(host, (p) => pool.includes(p)) };
          break;
        }
        case 'backslash-path':
        case 'absolute-path': {
          const host = takeHost(() => true);
          if (!host) break;
          host.plant = { code, variant, target: randomTarget(host, (p) => asciiName(p) && dirOf(p.path) !== dirOf(host.path)) };
          break;
        }
        default: {
          const host = takeHost(() => true);
          if (!host) break;
          host.plant = { code, variant, target: randomTarget(host, (p) => !p.nfd) };
        }
      }
    }
  }
  for (const orphan of pages.filter((p) => p.orphan)) orphan.plant = { code: 'orphan-page' };

  // 5. Render.
  const problems: PlantedProblem[] = [];
  const truth: GroundTruth = { generator: generatorVersion, seed: options.seed, notes, rate, pages: 0, files: 0, bytes: 0, links: 0, problems };
  const write = (path: string, content: string) => {
    truth.files++;
    if (path.endsWith('.md')) truth.pages++;
    truth.bytes += Buffer.byteLength(content);
    emit(path, content);
  };
  for (const image of imageFiles) write(image, svg(baseOf(image)));
  write('README.md', renderRootIndex(topics, random, truth));
  for (const topic of topics) write(`${topic.folder}/README.md`, renderTopicIndex(topic, random, truth));
  const byTopic = topics.map((t) => t.pages);
  for (const page of pages) {
    observer?.page?.(page.path, page.headings);
    write(page.path, renderPage(page, chainPages, byTopic, random, problems, truth, observer));
  }
  problems.sort((a, b) => (a.file < b.file ? -1 : a.file > b.file ? 1 : a.line - b.line));
  return truth;
}

/** Whether `path` read from the host's folder exists (then writing it from the root would not be a problem). */
function existsRelative(host: Page, path: string, pages: Page[]): boolean {
  const joined = `${dirOf(host.path)}/${path}`;
  return pages.some((p) => p.path === joined || p.path.startsWith(`${joined}/`));
}

function fileStem(title: string, random: Random): string {
  const parts = title
    .replace(/[¿?¡!:,()]/g, ' ')
    .split(/\s+/)
    .filter((w) => w && !stopWords.has(w.toLowerCase()));
  const roll = random.next();
  if (roll < 0.1) return title.replace(/[¿?¡!:,()]/g, '').replace(/\s+/g, ' ').trim();
  const camel = parts.map(capitalize).join('');
  return roll < 0.3 ? camel : stripAccents(camel);
}

function headingsFor(page: Page, topic: Topic, random: Random): Heading[] {
  const slugger = new GithubSlugger();
  const sources = [page.title];
  const count = random.int(3, 5);
  for (let i = 0; i < count; i++) {
    const template = random.pick(sectionTemplates);
    sources.push(
      template
        .replace('{c}', random.pick(topic.seed.concepts))
        .replace('{c2}', random.pick(topicSeeds[random.int(0, topicSeeds.length - 1)].concepts))
        .replace('{cmd}', random.pick(commands)),
    );
  }
  if (random.chance(0.25)) sources.push(sources[random.int(1, sources.length - 1)]); // A duplicate: GitHub adds -1.
  // The id GitHub gives: from the heading's text content (code spans and emphasis contribute their text).
  return sources.map((text, i) => {
    const id = slugger.slug(text.replace(/`/g, ''));
    if (i === 0) return { source: text, id };
    const shape = random.next();
    if (shape < 0.05 && !text.includes('`')) return { source: text.replace(/(\S+)$/, '*$1*'), id }; // Emphasis.
    if (shape < 0.09) return { source: `${text} ##`, id }; // Closing sequence.
    if (shape < 0.13) return { source: text, id, setext: true };
    return { source: text, id };
  });
}

function sentence(random: Random, min = 6, max = 12): string {
  const n = random.int(min, max);
  const list: string[] = [];
  for (let i = 0; i < n; i++) list.push(random.pick(words));
  return `${capitalize(list.join(' '))}.`;
}

function paragraph(random: Random, snippets: Snippet[], minSentences = 1, maxSentences = 3): { text: string; planted?: Snippet['planted'] } {
  const parts: string[] = [];
  const count = random.int(minSentences, maxSentences);
  const slots = [...snippets];
  for (let i = 0; i < count || slots.length; i++) {
    let s = sentence(random);
    const snippet = slots.shift();
    if (snippet) s = s.replace(/\.$/, `, ${random.pick(['como se ve en', 'según', 'ver', 'consulta', 'igual que en', 'lo explica'])} ${snippet.text}.`);
    parts.push(s);
  }
  return { text: parts.join(' '), planted: snippets.find((s) => s.planted)?.planted };
}

/** A valid cross link from `host` to `target`, in one of the shapes authors write. */
function validLink(host: Page, target: Page, random: Random, definitions: string[], refCounter: { n: number }, observer?: LinkObserver): string {
  const path = relative(host.path, target.path);
  const label = random.chance(0.5) ? target.title.replace(/[¿?¡!]/g, '') : random.pick(['esta nota', 'la explicación', 'el apartado', 'estos apuntes', 'el resumen', 'la lección']);
  const heading = random.chance(0.45) ? random.pick(target.headings) : undefined;
  const anchor = !heading && target.anchor && random.chance(0.5) ? target.anchor : undefined;
  const id = heading?.id ?? anchor;
  const fragment = id ? `#${random.chance(0.3) ? encodeURIComponent(id) : id}` : '';
  const style: PathStyle = target.path.includes(' ') ? random.pick(['spaces', 'percent', 'angle'] as const) : random.chance(0.15) ? 'percent' : 'plain';
  const roll = random.next();
  if (!(roll >= 0.28 && roll < 0.31)) observer?.link(host.path, target.path, id);
  if (roll < 0.12) {
    // Reference style: full, collapsed (the label is the reference) or with a title.
    const ref = `ref-${++refCounter.n}`;
    if (random.chance(0.3)) {
      const collapsed = `${label} ${refCounter.n}`;
      definitions.push(`[${collapsed}]: ${destination(path, style, fragment)}`);
      return `[${collapsed}][]`;
    }
    definitions.push(`[${ref}]: ${destination(path, style, fragment)}${random.chance(0.3) ? ` "${target.title.replace(/"/g, '')}"` : ''}`);
    return `[${label}][${random.chance(0.2) ? ref.toUpperCase() : ref}]`;
  }
  if (roll < 0.17 && !target.nfd) return `[${label}](/${destination(target.path, style === 'angle' ? 'spaces' : style, fragment)})`;
  if (roll < 0.22) return `[${label}](${destination(path, style, fragment)} "${target.title.replace(/"/g, '')}")`;
  if (roll < 0.25) return `<a href="${destination(path, style === 'angle' ? 'spaces' : style, fragment)}">${label}</a>`;
  if (roll < 0.28) return `[📎 ${label}](${destination(path, style, fragment)})`;
  if (roll < 0.31) return `[la carpeta del tema](${relative(host.path, `${dirOf(target.path)}/x`).replace(/x$/, '') || './'})`;
  const dot = !path.includes('/') && random.chance(0.25) ? './' : '';
  return `[${label}](${dot}${destination(path, style, fragment)})`;
}

/** The planted problem of `host`, written as a link snippet (or undefined for nav and orphan plants). */
function plantedSnippet(host: Page, random: Random, definitions: string[], refCounter: { n: number }): Snippet | undefined {
  const plant = host.plant;
  if (!plant || plant.code === 'label-mismatch' || plant.code === 'nav-not-reciprocal' || plant.code === 'orphan-page') return undefined;
  const target = 'target' in plant ? plant.target : undefined;
  const path = target ? relative(host.path, target.path) : '';
  const variant = 'variant' in plant ? plant.variant : 0;
  const label = random.pick(['esta nota', 'la explicación', 'el apartado', 'estos apuntes']);
  const asReference = (code: PlantedCode, dest: string, detail: string): Snippet => {
    const ref = `ref-${++refCounter.n}`;
    definitions.push(`[${ref}]: ${dest}`);
    return { text: `[${label}][${ref}]`, planted: { code, detail, definition: `[${ref}]:` } };
  };
  switch (plant.code) {
    case 'missing-file': {
      const name = baseOf(target!.path);
      const typo = name.replace(/\.md$/, '').replace(/[aeiou](?=[^aeiou]*$)/, '') + 'x.md';
      const typoPath = `${path.slice(0, path.length - name.length)}${typo}`;
      switch (variant % 4) {
        case 0:
          return { text: `[${label}](${destination(typoPath, 'plain')})`, planted: { code: 'missing-file', detail: `typo in the name: ${typoPath}` } };
        case 1:
          return { text: `[${label}](${'../'.repeat(depthOf(host.path))}Apuntes_Viejos/${destination(name, 'plain')})`, planted: { code: 'missing-file', detail: 'a folder that does not exist' } };
        case 2:
          return asReference('missing-file', destination(typoPath, 'plain'), `reference definition to a missing file: ${typoPath}`);
        default:
          return { text: `![diagrama](${'../'.repeat(depthOf(host.path))}img/diagrama-inexistente.png)`, planted: { code: 'missing-file', detail: 'missing image' } };
      }
    }
    case 'missing-fragment': {
      const accentedHeading = target!.headings.find((h) => hasAccent(h.id) && !target!.headings.some((o) => o.id === stripAccents(h.id)));
      switch (variant % 4) {
        case 0:
        case 1:
          if (variant % 4 === 0 && accentedHeading) {
            return { text: `[${label}](${destination(path, 'spaces', `#${stripAccents(accentedHeading.id)}`)})`, planted: { code: 'missing-fragment', detail: `accents dropped from #${accentedHeading.id}` } };
          }
          return { text: `[${label}](${destination(path, 'spaces', '#sección-que-no-existe')})`, planted: { code: 'missing-fragment', detail: 'no such heading in the target' } };
        case 2:
          return { text: `[${label}](#apartado-eliminado)`, planted: { code: 'missing-fragment', detail: 'no such heading in this page' } };
        default:
          return asReference('missing-fragment', destination(path, 'spaces', '#resumen-final-del-tema'), 'reference definition with a missing fragment');
      }
    }
    case 'backslash-path':
      return { text: `[${label}](${path.replace(/\//g, '\\')})`, planted: { code: 'backslash-path', detail: `backslashes: ${path}` } };
    case 'root-relative-path':
      return { text: `[${label}](${destination(target!.path, 'spaces')})`, planted: { code: 'root-relative-path', detail: `written from the root: ${target!.path}` } };
    case 'case-mismatch': {
      const name = baseOf(path);
      const lowered = `${path.slice(0, path.length - name.length)}${name.toLowerCase()}`;
      return { text: `[${label}](${destination(lowered, 'spaces')})`, planted: { code: 'case-mismatch', detail: `lower-cased name: ${lowered}` } };
    }
    case 'unicode-mismatch': {
      const written = variant === 0 ? path.normalize('NFC') : path.normalize('NFD');
      return { text: `[${label}](${destination(written, 'spaces')})`, planted: { code: 'unicode-mismatch', detail: `written ${variant === 0 ? 'NFC, NFD' : 'NFD, NFC'} on disk: ${target!.path.normalize('NFC')}` } };
    }
    case 'absolute-path': {
      const tail = target!.path;
      const forms = [`C:\\Users\\ana\\Documents\\apuntes\\${tail.replace(/\//g, '\\')}`, `/home/ana/apuntes/${tail}`, `file:///C:/Users/ana/apuntes/${tail}`, `/Users/ana/Documents/apuntes/${tail}`];
      const written = forms[variant % forms.length];
      return { text: `[${label}](${written})`, planted: { code: 'absolute-path', detail: written } };
    }
    case 'outside-workspace': {
      const written = `${'../'.repeat(depthOf(host.path) + 1 + (variant % 2))}compartido/Plantilla.md`;
      return { text: `[${label}](${written})`, planted: { code: 'outside-workspace', detail: written } };
    }
    case 'self-link':
      return variant % 2 === 0
        ? { text: `[📎 Esta misma nota](${destination(baseOf(host.path), 'spaces')})`, planted: { code: 'self-link', detail: 'related link to its own page' } }
        : { text: `[⬆️ Arriba](#)`, planted: { code: 'self-link', detail: 'up link to # (its own page)' } };
    case 'undefined-reference':
      return variant % 2 === 0
        ? { text: `[${label}][apunte-sin-definir-${host.index}]`, planted: { code: 'undefined-reference', detail: 'full reference without a definition' } }
        : { text: `[Término no definido ${host.index}][]`, planted: { code: 'undefined-reference', detail: 'collapsed reference without a definition' } };
  }
}

/** Lines of a page, with the planted problems found while writing them. */
class Lines {
  readonly lines: string[] = [];
  readonly found: { line: number; planted: NonNullable<Snippet['planted']> }[] = [];

  push(text: string, planted?: Snippet['planted']): void {
    this.lines.push(text);
    if (planted) this.found.push({ line: this.lines.length, planted });
  }

  blank(): void {
    if (this.lines.length && this.lines[this.lines.length - 1] !== '') this.lines.push('');
  }

  get next(): number {
    return this.lines.length + 1;
  }
}

function navLabel(target: Page, marker: string, random: Random, generic: string, markerFirst: boolean): string {
  const text = random.chance(0.2) ? generic : target.title;
  return markerFirst ? `${marker} ${text}` : `${text} ${marker}`;
}

function renderPage(page: Page, chainPages: Page[], byTopic: Page[][], random: Random, problems: PlantedProblem[], truth: GroundTruth, observer?: LinkObserver): string {
  const lines = new Lines();
  const definitions: string[] = [];
  const refCounter = { n: 0 };
  const plant = page.plant;
  const navPlant = plant && (plant.code === 'label-mismatch' || plant.code === 'nav-not-reciprocal') ? plant : undefined;

  if (page.frontMatter) {
    lines.push('---');
    lines.push(`title: "${page.title.replace(/"/g, '')}"`);
    lines.push(`tags: [${titleKey(page.title).split(' ').slice(0, 3).join(', ')}]`);
    lines.push(`resumen: "Ver [la nota anterior](Inexistente.md) en el índice"`);
    lines.push('---');
    lines.push('');
  }

  // The back link: at the top, or on the bottom line next to the forward link.
  const back = page.prev && !page.omitBack ? page.prev : undefined;
  const forward = page.next && !page.omitForward ? page.next : undefined;
  const backMarker = random.pick(['⬅️', '⬅️', '⏮️', '◀️']);
  const forwardMarker = random.pick(['➡️', '➡️', '⏭️', '▶️']);
  const backLink = (): { text: string; planted?: Snippet['planted'] } => {
    let text = `[${navLabel(back!, backMarker, random, 'Anterior', random.chance(0.6))}](${destination(relative(page.path, back!.path), 'spaces')})`;
    let planted: Snippet['planted'];
    if (navPlant?.code === 'label-mismatch' && navPlant.direction === 'back') {
      text = `[${backMarker} ${navPlant.named.title}](${destination(relative(page.path, back!.path), 'spaces')})`;
      planted = { code: 'label-mismatch', detail: `back label names “${navPlant.named.title}” (${navPlant.named.path})` };
    } else if (navPlant?.code === 'nav-not-reciprocal' && navPlant.direction === 'back') {
      planted = { code: 'nav-not-reciprocal', detail: `${back!.path} has no forward link here` };
    }
    return { text, planted };
  };
  const forwardLink = (): { text: string; planted?: Snippet['planted'] } => {
    let text = `[${navLabel(forward!, forwardMarker, random, 'Siguiente', false)}](${destination(relative(page.path, forward!.path), 'spaces')})`;
    let planted: Snippet['planted'];
    if (navPlant?.code === 'label-mismatch' && navPlant.direction === 'forward') {
      text = `[${navPlant.named.title} ${forwardMarker}](${destination(relative(page.path, forward!.path), 'spaces')})`;
      planted = { code: 'label-mismatch', detail: `forward label names “${navPlant.named.title}” (${navPlant.named.path})` };
    } else if (navPlant?.code === 'nav-not-reciprocal' && navPlant.direction === 'forward') {
      planted = { code: 'nav-not-reciprocal', detail: `${forward!.path} has no back link here` };
    }
    return { text, planted };
  };
  const backOnTop = !!back && random.chance(0.6);
  if (backOnTop) {
    const link = backLink();
    lines.push(link.text, link.planted);
    lines.push('');
  } else if (!page.prev && !page.orphan) {
    lines.push(`[⬆️ ${random.pick(['Índice del tema', 'Volver al índice', 'Tema'])}](${relative(page.path, `${page.path.split('/')[0]}/README.md`)})`);
    lines.push('');
  }

  const h1Line = lines.next;
  lines.push(`# ${page.headings[0].source}`);
  lines.push('');
  if (plant?.code === 'orphan-page') problems.push({ file: page.path, line: h1Line, code: 'orphan-page', detail: 'no page links here' });

  // Cross links: 4–8, the planted one among them.
  const targets = () => randomTargetFor(page, chainPages, byTopic, random);
  const snippets: Snippet[] = [];
  const planted = plantedSnippet(page, random, definitions, refCounter);
  const linkCount = random.int(4, 8) - (planted ? 1 : 0);
  for (let i = 0; i < linkCount; i++) snippets.push({ text: validLink(page, targets(), random, definitions, refCounter, observer) });
  if (planted) snippets.splice(random.int(0, snippets.length), 0, planted);
  truth.links += snippets.length + (back ? 1 : 0) + (forward ? 1 : 0);

  // Intro.
  const intro = paragraph(random, snippets.splice(0, random.int(0, 2)));
  lines.push(intro.text, intro.planted);
  lines.push('');
  if (random.chance(0.3)) {
    lines.push(`> [!${random.pick(alertKinds)}]`);
    lines.push(`> ${sentence(random)} Se escribe \`[texto](destino.md)\` y no \`[texto][sin-definir]\`.`);
    lines.push('');
  }

  const sections = page.headings.slice(1);
  sections.forEach((heading, s) => {
    if (page.anchor && s === 0) {
      lines.push(`<a id="${page.anchor}"></a>`);
      lines.push('');
    }
    if (heading.setext) {
      lines.push(heading.source);
      lines.push('-'.repeat(Math.max(3, [...heading.source].length)));
    } else lines.push(`## ${heading.source}`);
    lines.push('');
    const remaining = sections.length - s;
    const take = remaining === 1 ? snippets.length : random.int(0, Math.min(2, snippets.length));
    const mine = snippets.splice(0, take);
    const shape = random.next();
    if (shape < 0.15 && mine.length) {
      // A list; task items and a link per item.
      for (const snippet of mine) lines.push(`- [${random.chance(0.5) ? ' ' : 'x'}] ${sentence(random, 4, 8).replace(/\.$/, '')}: ${snippet.text}`, snippet.planted);
      lines.push(`- ${sentence(random, 4, 8)}`);
    } else if (shape < 0.22 && mine.length) {
      lines.push('| Concepto | Dónde |');
      lines.push('| --- | --- |');
      for (const snippet of mine) lines.push(`| ${capitalize(random.pick(words))} | ${snippet.text} |`, snippet.planted);
    } else {
      const p = paragraph(random, mine);
      lines.push(p.text, p.planted);
    }
    lines.push('');
    const extra = random.next();
    if (extra < 0.15) {
      lines.push('```markdown');
      lines.push(`[${random.pick(words)}](../NoExiste.md) y [otro][nada] y ![img](C:\\Users\\ana\\foto.png)`);
      lines.push('```');
      lines.push('');
    } else if (extra < 0.3) {
      lines.push(`${sentence(random)} En código: \`[enlace](Falta.md#sección)\` o \`${random.pick(commands)}\`, que no son enlaces.`);
      lines.push('');
    } else if (extra < 0.36) {
      lines.push(`${sentence(random)} Para escribirlo literalmente: \\[texto\\](destino.md) y \\[esto\\]\\[tampoco\\].`);
      lines.push('');
    } else if (extra < 0.42) {
      // Autolinks: external whatever their spelling (GFM literals included: e-mail addresses and www.).
      lines.push(`${sentence(random)} Más en <https://docs.docker.com/> o en ${random.pick(['https://es.wikipedia.org/wiki/Virtualización', 'profesor@example.com', '<profesora@example.com>', 'www.docker.com'])}, según la nota[^${s + 1}].`);
      lines.push('');
      lines.push(`[^${s + 1}]: ${sentence(random, 4, 8)}`);
      lines.push('');
    } else if (extra < 0.5) {
      const image = random.pick(imageFiles);
      lines.push(`![${random.pick(['Diagrama', 'Esquema'])}](${destination(relative(page.path, image), 'spaces')})`);
      lines.push('');
    } else if (extra < 0.55) {
      lines.push(`${sentence(random)} Vuelve al [índice general](/README.md) o a la [sección anterior](#${random.pick(page.headings).id}).`);
      lines.push('');
    } else if (extra < 0.59) {
      lines.push(`<!-- Enlace retirado: [versión antigua](VersionAntigua.md) y [otra][vieja] -->`);
      lines.push('');
    } else if (extra < 0.62) {
      // A paragraph first: right after a list, an indented line would continue the list item.
      lines.push(`${sentence(random)} Ejemplo de sintaxis:`);
      lines.push('');
      lines.push(`    [enlace de ejemplo](Ejemplo/NoExiste.md) en un bloque sangrado`);
      lines.push('');
    } else if (extra < 0.66) {
      const image = random.pick(imageFiles);
      lines.push(`<img src="${destination(relative(page.path, image), 'spaces')}" width="240" alt="${random.pick(['Esquema', 'Diagrama'])}">`);
      lines.push('');
    } else if (extra < 0.69) {
      lines.push(`[![Esquema](${destination(relative(page.path, random.pick(imageFiles)), 'spaces')})](${destination(relative(page.path, `${page.path.split('/')[0]}/README.md`), 'spaces')}) ${sentence(random, 4, 8)} [Volver arriba](#)`);
      lines.push('');
    }
  });

  // Bottom navigation.
  const bottom: { text: string; planted?: Snippet['planted'] }[] = [];
  if (back && !backOnTop) bottom.push(backLink());
  if (forward) bottom.push(forwardLink());
  else if (!page.next && !page.orphan) bottom.push({ text: `[⬆️ Volver al índice](${relative(page.path, `${page.path.split('/')[0]}/README.md`)})` });
  if (bottom.length) {
    lines.blank();
    const line = bottom.map((b) => b.text).join(random.pick([' | ', ' · ', ' ']));
    const navPlanted = bottom.find((b) => b.planted)?.planted;
    lines.push(line, navPlanted);
  }
  if (definitions.length) {
    lines.blank();
    for (const definition of definitions) lines.push(definition);
  }
  lines.push('');

  for (const { line, planted: p } of lines.found) {
    const problem: PlantedProblem = { file: page.path, line, code: p.code, detail: p.detail };
    if (p.definition) {
      const at = lines.lines.findIndex((l) => l.startsWith(p.definition!));
      if (at >= 0) problem.alt = [at + 1];
    }
    problems.push(problem);
  }
  return (page.bom ? '\uFEFF' : '') + lines.lines.join(page.crlf ? '\r\n' : '\n');
}

/** A cross-link target: half of them in the host's own topic. */
function randomTargetFor(host: Page, chainPages: Page[], byTopic: Page[][], random: Random): Page {
  for (;;) {
    const sameTopic = byTopic[host.topic];
    const target = random.chance(0.5) && sameTopic.length > 1 ? random.pick(sameTopic) : random.pick(chainPages);
    if (target !== host) return target;
  }
}

function renderRootIndex(topics: Topic[], random: Random, truth: GroundTruth): string {
  const lines = [
    '---',
    'title: Apuntes de informática',
    'tags: [índice, apuntes]',
    '---',
    '',
    '# Apuntes de informática',
    '',
    'Estos apuntes recogen lo visto en clase. Cada tema tiene un índice y sus páginas se leen en orden con los enlaces ⬅️ y ➡️. Un enlace se escribe así: `[Página siguiente ➡️](Siguiente.md)`.',
    '',
    '> [!TIP]',
    '> Los términos técnicos se explican en cada tema. Usa `[texto](ruta.md#sección)` para enlazar una sección.',
    '',
    '## Temas',
    '',
  ];
  for (const topic of topics) {
    const style = hasAccent(topic.folder) && random.chance(0.5) ? 'percent' : 'plain';
    lines.push(`- [${topic.name}](${destination(`${topic.folder}/README.md`, style)})`);
    truth.links++;
  }
  lines.push('', '![Arquitectura general](img/arquitectura.svg)', '');
  return lines.join('\n');
}

function renderTopicIndex(topic: Topic, random: Random, truth: GroundTruth): string {
  const lines = [`[⬆️ Índice general](../README.md)`, '', `# ${topic.name}`, '', `${sentence(random)} ${sentence(random)}`, ''];
  const bySub = new Map<string, Page[]>();
  for (const page of topic.pages) {
    const sub = dirOf(page.path).slice(topic.folder.length + 1) || '';
    bySub.set(sub, [...(bySub.get(sub) ?? []), page]);
  }
  for (const sub of [...bySub.keys()].sort()) {
    lines.push(`## ${sub ? sub.replace(/\//g, ' / ') : 'General'}`, '');
    for (const page of bySub.get(sub)!) {
      const path = relative(`${topic.folder}/README.md`, page.path);
      const style: PathStyle = path.includes(' ') ? random.pick(['spaces', 'angle', 'percent'] as const) : hasAccent(path) && random.chance(0.3) ? 'percent' : 'plain';
      lines.push(`- [${page.title}](${destination(path, style)})`);
      truth.links++;
    }
    lines.push('');
  }
  return lines.join('\n');
}

/** Writes a corpus to `dir` (emptied first) and its ground truth to `dir/planted.json`. */
export function writeCorpus(dir: string, options: GenerateOptions): GroundTruth {
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(dir, { recursive: true });
  const made = new Set<string>();
  const truth = generateCorpus(options, (path, content) => {
    const file = nodePath.join(dir, path);
    const folder = nodePath.dirname(file);
    if (!made.has(folder)) {
      mkdirSync(folder, { recursive: true });
      made.add(folder);
    }
    writeFileSync(file, content);
  });
  writeFileSync(nodePath.join(dir, 'planted.json'), JSON.stringify(truth, null, 1) + '\n');
  return truth;
}

function main(argv: string[]): void {
  const arg = (name: string, fallback?: string) => {
    const i = argv.indexOf(`--${name}`);
    return i >= 0 ? argv[i + 1] : fallback;
  };
  const out = arg('out');
  if (!out || argv.includes('--help')) {
    process.stdout.write('Usage: node out/bench/generate.js --notes N [--seed S] [--rate R] --out DIR\n');
    process.exitCode = out ? 0 : 2;
    return;
  }
  const truth = writeCorpus(nodePath.resolve(out), { notes: Number(arg('notes', '1000')), seed: Number(arg('seed', '1')), rate: Number(arg('rate', '0.005')) });
  const counts = new Map<string, number>();
  for (const p of truth.problems) counts.set(p.code, (counts.get(p.code) ?? 0) + 1);
  process.stdout.write(`${truth.pages} pages, ${truth.files} files, ${(truth.bytes / 1e6).toFixed(1)} MB, ${truth.links} links, ${truth.problems.length} planted problems (${[...counts].map(([c, n]) => `${c} ${n}`).join(', ')})\n`);
}

if (/generate\.[jt]s$/.test(process.argv[1] ?? '')) main(process.argv.slice(2));
