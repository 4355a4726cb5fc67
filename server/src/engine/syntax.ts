/** Markdown syntax that both parsing (parse.ts) and thinning (thin.ts) must recognize the same way. */

/**
 * Front matter that is closed. remark-frontmatter misreads what follows an opening `---` that is
 * never closed (an indented code block in a list became a paragraph with a link): such a page is
 * read without it, as CommonMark reads it (the `---` is a thematic break).
 */
export const closedFrontMatter = /^\uFEFF?(---|\+\+\+)[ \t]*(?:\r\n|\r|\n)(?:[\s\S]*?(?:\r\n|\r|\n))?\1[ \t]*(?:\r\n|\r|\n|$)/;

/** What starts a GFM literal autolink (`https://…`, `www.…`, `user@host`). */
export const autolinkTrigger = /:\/\/|www\.|@/gi;
