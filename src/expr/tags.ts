import type { Budget } from './budget.js';
import type { Span } from './errors.js';

// has_tag and matches_tag as migration-manager documents them (doc/reference/filters.md):
//   has_tag(category, tag)     — `tag` is one of the comma-separated tags in config["tag.<category>"];
//   matches_tag(category, tag) — one of those tags contains the text `tag`;
// with category "*" meaning every `tag.*` key. migration-manager's code has the two swapped and,
// for "*", tests the whole comma-joined value; Ferry follows the documentation.

/** Charges the text it reads: the two arguments, and the tags of each category it looks at. */
export function hasTag(config: ReadonlyMap<string, string>, category: string, tag: string, substring: boolean, budget: Budget, at: Span): boolean {
  budget.charge(category.length + tag.length, at);
  if (category === '*') {
    for (const [key, tags] of config) {
      const isTag = key.startsWith('tag.');
      budget.charge(isTag ? 1 + tags.length : 1, at);
      if (isTag && tagListHas(tags, tag, substring)) return true;
    }
    return false;
  }
  const tags = config.get(`tag.${category}`);
  if (tags === undefined) return false;
  budget.charge(tags.length, at);
  return tagListHas(tags, tag, substring);
}

/**
 * Whether a comma-separated list has `tag` as an item (or, with `substring`, inside an item).
 * Linear in the list: a text without a comma is inside an item wherever it occurs, and a text
 * with one never is.
 */
export function tagListHas(tags: string, tag: string, substring: boolean): boolean {
  if (substring) return !tag.includes(',') && tags.includes(tag);
  let start = 0;
  for (;;) {
    const comma = tags.indexOf(',', start);
    const end = comma < 0 ? tags.length : comma;
    if (end - start === tag.length && tags.startsWith(tag, start)) return true;
    if (comma < 0) return false;
    start = comma + 1;
  }
}
