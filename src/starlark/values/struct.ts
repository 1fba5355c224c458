// Immutable records with named fields (starlarkstruct.Struct): struct(host="x", port=80).
// A struct made by a "symbol" constructor (gensym in the conformance tests) prints and compares
// with that constructor.

import { fail, StarFail } from '../eval/errors.js';
import { chargeContainer, chargeWork } from '../eval/limits.js';
import { equals, equalsDepth } from './compare.js';
import { hashKey, identityNumber } from './hash-key.js';
import { repr } from './repr.js';
import { CompareOp, COMPARE_OP_NAMES, freezeValue, StarObject, type Value } from './value.js';

/** The constructor of plain structs; prints as "struct". */
export const DEFAULT_CONSTRUCTOR = 'struct';

export class Struct extends StarObject {
  /** Fields sorted by name. */
  readonly fields: readonly (readonly [string, Value])[];

  constructor(
    readonly constructorValue: Value,
    fields: Iterable<readonly [string, Value]>,
  ) {
    super();
    const unsorted = [...fields];
    chargeContainer(unsorted.length);
    chargeWork(unsorted.length * Math.log2(unsorted.length + 1));
    this.fields = unsorted.sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0));
  }

  type(): string {
    return 'struct';
  }
  override freeze(): void {
    freezeValue(this);
  }
  override freezeInto(pending: Value[]): void {
    for (const [, v] of this.fields) pending.push(v);
  }
  override hashKey(): unknown {
    chargeWork(1 + this.fields.length);
    let key = `\u0108${typeof this.constructorValue === 'string' ? this.constructorValue : identityNumber(this.constructorValue as object)}`;
    for (const [name, v] of this.fields) {
      const k = hashKey(v);
      key += `\u0109${name}=${typeof k === 'object' && k !== null ? identityNumber(k) : String(k)}`;
    }
    return key;
  }
  repr(path: StarObject[]): string {
    const ctor = this.constructorValue === DEFAULT_CONSTRUCTOR ? 'struct' : repr(this.constructorValue, path);
    return `${ctor}(${this.fields.map(([k, v]) => `${k} = ${repr(v, path)}`).join(', ')})`;
  }
  override attr(name: string): Value | undefined {
    for (const [k, v] of this.fields) if (k === name) return v;
    const ctor = this.constructorValue === DEFAULT_CONSTRUCTOR ? '' : `${repr(this.constructorValue)} `;
    throw new StarFail(`${ctor}struct has no .${name} attribute`, true);
  }
  override attrNames(): string[] {
    return this.fields.map(([k]) => k);
  }
  override binary(op: string, y: Value, right: boolean): Value | undefined {
    if (op !== '+' || !(y instanceof Struct)) return undefined;
    const [a, b] = right ? [y, this] : [this, y];
    if (!equals(a.constructorValue, b.constructorValue)) {
      fail(`cannot add structs of different constructors: ${repr(a.constructorValue)} + ${repr(b.constructorValue)}`);
    }
    const merged = new Map<string, Value>(a.fields.map(([k, v]) => [k, v]));
    for (const [k, v] of b.fields) merged.set(k, v);
    return new Struct(a.constructorValue, merged);
  }
  override compareSameType(op: CompareOp, y: StarObject, depth: number): boolean {
    if (op !== CompareOp.EQ && op !== CompareOp.NE) fail(`struct ${COMPARE_OP_NAMES[op]} struct not implemented`);
    const other = y as Struct;
    chargeWork(this.fields.length);
    let eq = this.fields.length === other.fields.length && equals(this.constructorValue, other.constructorValue);
    for (let i = 0; eq && i < this.fields.length; i++) {
      eq = this.fields[i][0] === other.fields[i][0] && equalsDepth(this.fields[i][1], other.fields[i][1], depth - 1);
    }
    return op === CompareOp.EQ ? eq : !eq;
  }
}
