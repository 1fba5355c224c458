// Struct-like host values with a type name, whose fields are converted from a JS object on
// first access (so a large record costs nothing for the fields a script never reads).
// Reading an unknown field fails with a message naming it: `instance has no field "x"`.

import { fail, StarFail } from '../eval/errors.js';
import { freezeValue } from '../values/list.js';
import { repr } from '../values/repr.js';
import { StarObject, type Value } from '../values/value.js';

export type FieldConverter = (name: string, raw: unknown) => Value;

export class AttributeObject extends StarObject {
  private readonly cache = new Map<string, Value>();
  private frozen = false;

  constructor(
    readonly typeName: string,
    /** Field values: already Starlark values, or raw JS values converted by `convert`. */
    private readonly source: Readonly<Record<string, unknown>>,
    private readonly convert: FieldConverter,
  ) {
    super();
  }

  type(): string {
    return this.typeName;
  }
  override hashKey(): unknown {
    return fail(`unhashable type: ${this.typeName}`);
  }
  override freeze(): void {
    if (this.frozen) return;
    this.frozen = true;
    for (const name of this.attrNames()) freezeValue(this.attr(name) as Value);
  }
  override attr(name: string): Value | undefined {
    const cached = this.cache.get(name);
    if (cached !== undefined) return cached;
    if (!Object.prototype.hasOwnProperty.call(this.source, name)) {
      throw new StarFail(`${this.typeName} has no field ${repr(name)}`, true);
    }
    const v = this.convert(name, this.source[name]);
    if (this.frozen) freezeValue(v);
    this.cache.set(name, v);
    return v;
  }
  override attrNames(): string[] {
    return Object.keys(this.source).sort();
  }
  repr(path: StarObject[]): string {
    if (path.includes(this)) return `${this.typeName}(...)`;
    path.push(this);
    const fields = this.attrNames().map((name) => `${name} = ${repr(this.attr(name) as Value, path)}`);
    path.pop();
    return `${this.typeName}(${fields.join(', ')})`;
  }
}
