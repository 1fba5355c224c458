// The insertion-ordered set (behind the `set` dialect option).

import { fail } from '../eval/errors.js';
import { chargeContainer, chargeEntry, chargeWork, checkElements } from '../eval/limits.js';
import { chargeLongKey, hashKey, isLongKey, unhashable } from './hash-key.js';
import { repr } from './repr.js';
import { CompareOp, COMPARE_OP_NAMES, freezeValue, StarObject, type StarIterator, type Value } from './value.js';

export class StarSet extends StarObject {
  /** hash key → element */
  readonly members = new Map<unknown, Value>();
  frozen = false;
  itercount = 0;
  /** Members too long for V8 to hash (see hash-key.ts), which all collide with each other. */
  private longKeys = 0;

  constructor(elems: Iterable<Value> = []) {
    super();
    for (const e of elems) this.insert(e);
  }

  type(): string {
    return 'set';
  }
  override truth(): boolean {
    return this.members.size > 0;
  }
  override hashKey(): unknown {
    return unhashable('set');
  }
  override freeze(): void {
    freezeValue(this);
  }
  override freezeInto(pending: Value[]): void {
    if (this.frozen) return;
    this.frozen = true;
    for (const e of this.members.values()) pending.push(e);
  }

  override len(): number {
    return this.members.size;
  }

  private key(v: Value): unknown {
    const hk = hashKey(v);
    if (isLongKey(hk)) chargeLongKey(hk, this.longKeys);
    return hk;
  }

  has(v: Value): boolean {
    return this.members.has(this.key(v));
  }

  insert(v: Value): void {
    if (this.frozen) fail('cannot insert into frozen hash table');
    if (this.itercount > 0) fail('cannot insert into hash table during iteration');
    const hk = this.key(v);
    if (this.members.has(hk)) return;
    checkElements(this.members.size + 1);
    chargeEntry();
    if (isLongKey(hk)) this.longKeys++;
    this.members.set(hk, v);
  }

  elems(): Value[] {
    chargeContainer(this.members.size);
    return [...this.members.values()];
  }

  override iterate(): StarIterator {
    if (!this.frozen) this.itercount++;
    const values = this.members.values();
    return {
      next: () => {
        const r = values.next();
        return r.done === true ? undefined : r.value;
      },
      done: () => {
        if (!this.frozen) this.itercount--;
      },
    };
  }

  repr(path: StarObject[]): string {
    return `set([${this.elems()
      .map((e) => repr(e, path))
      .join(', ')}])`;
  }

  override compareSameType(op: CompareOp, y: StarObject, _depth: number): boolean {
    if (op !== CompareOp.EQ && op !== CompareOp.NE) fail(`set ${COMPARE_OP_NAMES[op]} set not implemented`);
    const other = y as StarSet;
    let eq = this.len() === other.len();
    if (eq) {
      chargeWork(this.len());
      for (const hk of this.members.keys()) {
        if (isLongKey(hk)) chargeLongKey(hk, other.longKeys);
        if (!other.members.has(hk)) {
          eq = false;
          break;
        }
      }
    }
    return op === CompareOp.EQ ? eq : !eq;
  }
}
