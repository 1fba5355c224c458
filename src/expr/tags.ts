// has_tag and matches_tag as migration-manager documents them (doc/reference/filters.md):
//   has_tag(category, tag)     — `tag` is one of the comma-separated tags in config["tag.<category>"];
//   matches_tag(category, tag) — one of those tags contains the text `tag`;
// with category "*" meaning every `tag.*` key. migration-manager's code has the two swapped and,
// for "*", tests the whole comma-joined value; Ferry follows the documentation.

export function hasTag(config: ReadonlyMap<string, string>, category: string, tag: string, substring: boolean): boolean {
  if (category === '*') {
    for (const [key, tags] of config) {
      if (key.startsWith('tag.') && tagListHas(tags, tag, substring)) return true;
    }
    return false;
  }
  const tags = config.get(`tag.${category}`);
  return tags !== undefined && tagListHas(tags, tag, substring);
}

/** Whether a comma-separated list has `tag` as an item (or, with `substring`, inside an item). */
export function tagListHas(tags: string, tag: string, substring: boolean): boolean {
  let start = 0;
  for (;;) {
    const comma = tags.indexOf(',', start);
    const end = comma < 0 ? tags.length : comma;
    if (substring) {
      const found = tags.indexOf(tag, start);
      if (found >= 0 && found + tag.length <= end) return true;
    } else if (end - start === tag.length && tags.startsWith(tag, start)) {
      return true;
    }
    if (comma < 0) return false;
    start = comma + 1;
  }
}
