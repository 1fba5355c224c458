// Struct-like host values with a type name, whose fields are converted from a JS object on
// first access (so a large record costs nothing for the fields a script never reads).
// Reading an unknown field fails with a message naming it: `instance has no field "x"`.

import { fail, StarFail } from '../eval/errors.js';
import { repr } from '../values/repr.js';
import { freezeValue, StarObject, type Value } from '../values/value.js';

export type FieldConverter = (name: string, raw: unknown) => Value;

export class AttributeObject extends StarObject {
  /** Converted fields; a plain object, which is cheaper than a Map for a handful of keys. */
  private cache: Record<string, Value> | undefined;
  private frozen = false;

  constructor(
    readonly typeName: string,
    /** Field values: already Starlark values, or raw JS values converted by `convert`. */
    private readonly source: Readonly<Record<string, unknown>>,
    private readonly convert: FieldConverter,
    /** The field names, when they are fixed (shared by all values of the type); else the source's own keys. */
    private readonly fields?: ReadonlySet<string>,
  ) {
    super();
  }

  private hasField(name: string): boolean {
    return this.fields !== undefined ? this.fields.has(name) : Object.prototype.hasOwnProperty.call(this.source, name);
  }

  type(): string {
    return this.typeName;
  }
  override hashKey(): unknown {
    return fail(`unhashable type: ${this.typeName}`);
  }
  override freeze(): void {
    freezeValue(this);
  }
  override freezeInto(pending: Value[]): void {
    if (this.frozen) return;
    this.frozen = true;
    for (const name of this.attrNames()) pending.push(this.attr(name) as Value);
  }
  override attr(name: string): Value | undefined {
    let cache = this.cache;
    if (cache === undefined) {
      cache = this.cache = {};
    } else {
      const cached = cache[name];
      if (cached !== undefined && Object.prototype.hasOwnProperty.call(cache, name)) return cached;
    }
    if (!this.hasField(name)) throw new StarFail(`${this.typeName} has no field ${repr(name)}`, true);
    const v = this.convert(name, this.source[name]);
    if (this.frozen) freezeValue(v);
    cache[name] = v;
    return v;
  }
  override attrNames(): string[] {
    return (this.fields !== undefined ? [...this.fields] : Object.keys(this.source)).sort();
  }
  repr(path: StarObject[]): string {
    if (path.includes(this)) return `${this.typeName}(...)`;
    path.push(this);
    const fields = this.attrNames().map((name) => `${name} = ${repr(this.attr(name) as Value, path)}`);
    path.pop();
    return `${this.typeName}(${fields.join(', ')})`;
  }
}
