// Reading vim25 values out of XML elements. Every reader tolerates an absent element (vcsim and
// older vCenters leave many properties unset) and returns undefined for it.

import { child, escapeXml, type XmlElement } from './xml.js';

/** A managed object reference: `{type: 'VirtualMachine', value: 'vm-57'}`. */
export interface MoRef {
  type: string;
  value: string;
}

export function moref(element: XmlElement | undefined): MoRef | undefined {
  if (element === undefined || element.text === '') return undefined;
  return { type: element.attrs.type ?? '', value: element.text };
}

export function morefXml(tag: string, ref: MoRef): string {
  return `<${tag} type="${escapeXml(ref.type)}">${escapeXml(ref.value)}</${tag}>`;
}

export function str(element: XmlElement | undefined): string | undefined {
  return element === undefined ? undefined : element.text;
}

export function int(element: XmlElement | undefined): number | undefined {
  if (element === undefined || element.text.trim() === '') return undefined;
  const value = Number(element.text.trim());
  return Number.isFinite(value) ? value : undefined;
}

export function bool(element: XmlElement | undefined): boolean | undefined {
  if (element === undefined) return undefined;
  const text = element.text.trim();
  return text === 'true' || text === '1' ? true : text === 'false' || text === '0' ? false : undefined;
}

/** The items of an `ArrayOf…` value, or the repeated children of a data object. */
export function items(element: XmlElement | undefined): XmlElement[] {
  return element?.children ?? [];
}

/** A field of a data object by a dotted path (`backing.fileName`). */
export function field(element: XmlElement | undefined, dotted: string): XmlElement | undefined {
  let current = element;
  for (const name of dotted.split('.')) current = child(current, name);
  return current;
}
