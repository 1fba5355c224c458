import type { Budget } from './budget.js';
import type { Span } from './errors.js';

// has_tag and matches_tag as migration-manager's code behaves (internal/migration/
// instance_model.go), which is what its users' batches really selected:
//   has_tag(category, text)    — one of the comma-separated tags in config["tag.<category>"] contains `text`;
//   matches_tag(category, tag) — one of those tags equals `tag`;
// and with the category "*", each `tag.*` value is tested whole, commas included: has_tag('*', x)
// is true when some tag value contains x, matches_tag('*', x) when some tag value is exactly x.
// Its documentation (doc/reference/filters.md) describes them the other way round; Ferry follows
// the code and says so in a note on every use (docs/expressions.md).

/** Charges the text it reads: the two arguments, and the tags of each category it looks at. */
export function hasTag(config: ReadonlyMap<string, string>, category: string, tag: string, substring: boolean, budget: Budget, at: Span): boolean {
  budget.charge(category.length + tag.length, at);
  if (category === '*') {
    for (const [key, tags] of config) {
      const isTag = key.startsWith('tag.');
      budget.charge(isTag ? 1 + tags.length : 1, at);
      if (isTag && (substring ? tags.includes(tag) : tags === tag)) return true;
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
