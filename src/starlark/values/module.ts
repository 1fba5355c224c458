// A named collection of values with attribute access (starlarkstruct.Module): what `load`
// returns members of, and how modules such as `json` appear to scripts.

import { fail } from '../eval/errors.js';
import { goQuote } from '../text/go-quote.js';
import { freezeValue, StarObject, type Value } from './value.js';

export class ModuleValue extends StarObject {
  constructor(
    override readonly name: string,
    readonly members: ReadonlyMap<string, Value>,
  ) {
    super();
  }

  type(): string {
    return 'module';
  }
  override hashKey(): unknown {
    return fail('unhashable: module');
  }
  override freeze(): void {
    freezeValue(this);
  }
  override freezeInto(pending: Value[]): void {
    for (const v of this.members.values()) pending.push(v);
  }
  repr(): string {
    return `<module ${goQuote(this.name)}>`;
  }
  override attr(name: string): Value | undefined {
    return this.members.get(name);
  }
  override attrNames(): string[] {
    return [...this.members.keys()].sort();
  }
}
