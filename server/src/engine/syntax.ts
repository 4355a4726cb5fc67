/** Markdown syntax that both parsing (parse.ts) and thinning (thin.ts) must recognize the same way. */

/**
 * Front matter that is closed. remark-frontmatter misreads what follows an opening `---` that is
 * never closed (an indented code block in a list became a paragraph with a link): such a page is
 * read without it, as CommonMark reads it (the `---` is a thematic break).
 */
export const closedFrontMatter = /^\uFEFF?(---|\+\+\+)[ \t]*(?:\r\n|\r|\n)(?:[\s\S]*?(?:\r\n|\r|\n))?\1[ \t]*(?:\r\n|\r|\n|$)/;

/** What starts a GFM literal autolink (`https://…`, `www.…`, `user@host`). */
export const autolinkTrigger = /:\/\/|www\.|@/gi;

/**
 * Characters that, written in a link's label or destination, decide more than the link: a backtick keeps a
 * line opening with ``` from being a code fence, a pipe counts a table row's cells. Fixes and moves never
 * drop or add one (see `dropsMark` in check.ts, `keepingMarks` in renameEdits.ts).
 */
export const structuralMarks = /[`|]/;
