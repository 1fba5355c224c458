// XML for the vSphere SOAP API: a namespace-aware element tree over fast-xml-parser, and escaping
// for the requests Ferry writes.
//
// vCenter (and vcsim) declare the XML Schema instance namespace under varying prefixes: `xsi:type`
// at the top of a response, `XMLSchema-instance:type` inside nested values. fast-xml-parser keeps
// prefixes as written, so this module resolves them: an element's `type` is the `type` attribute
// in the XSI namespace, whatever its prefix; an unprefixed `type` attribute (a managed object
// reference's `type="VirtualMachine"`) is an ordinary attribute.

import { XMLParser, XMLValidator } from 'fast-xml-parser';

export const XSI = 'http://www.w3.org/2001/XMLSchema-instance';
export const SOAP_ENV = 'http://schemas.xmlsoap.org/soap/envelope/';
const XML_NS = 'http://www.w3.org/XML/1998/namespace';

export interface XmlElement {
  /** The local name (prefix removed). */
  name: string;
  /** The namespace URI, '' when none is in scope. */
  ns: string;
  /** The local part of the xsi:type QName (`VirtualDisk`, `int`), or null. */
  type: string | null;
  /** Attributes without a namespace, by name. */
  attrs: Record<string, string>;
  /** The element's text (entities decoded); '' for an element with child elements. */
  text: string;
  children: XmlElement[];
}

export class XmlError extends Error {}

const parser = new XMLParser({
  preserveOrder: true,
  ignoreAttributes: false,
  attributeNamePrefix: '',
  parseTagValue: false,
  parseAttributeValue: false,
  trimValues: false,
  processEntities: true,
  htmlEntities: true,
  ignoreDeclaration: true,
  ignorePiTags: true,
});

type Ordered = Record<string, unknown> & { ':@'?: Record<string, string> };

/**
 * Parses a document into its root element. Throws XmlError on malformed input — the parser alone
 * would accept a truncated document (and so, silently, a page with fewer objects).
 */
export function parseXml(text: string): XmlElement {
  const valid = XMLValidator.validate(text);
  if (valid !== true) throw new XmlError(`malformed XML: ${valid.err.msg} (line ${valid.err.line})`);
  let nodes: Ordered[];
  try {
    nodes = parser.parse(text) as Ordered[];
  } catch (error) {
    throw new XmlError(`malformed XML: ${error instanceof Error ? error.message : String(error)}`);
  }
  const root = nodes.find((node) => elementKey(node) !== null);
  if (!root) throw new XmlError('the document has no root element');
  return convert(root, new Map([['xml', XML_NS]]));
}

function elementKey(node: Ordered): string | null {
  for (const key of Object.keys(node)) {
    if (key !== ':@' && key !== '#text' && key !== '#comment') return key;
  }
  return null;
}

function splitName(qname: string): [prefix: string, local: string] {
  const colon = qname.indexOf(':');
  return colon < 0 ? ['', qname] : [qname.slice(0, colon), qname.slice(colon + 1)];
}

function convert(node: Ordered, inherited: Map<string, string>): XmlElement {
  const key = elementKey(node)!;
  const rawAttrs = node[':@'] ?? {};
  let scope = inherited;
  for (const [name, value] of Object.entries(rawAttrs)) {
    if (name === 'xmlns' || name.startsWith('xmlns:')) {
      if (scope === inherited) scope = new Map(inherited);
      scope.set(name === 'xmlns' ? '' : name.slice(6), value);
    }
  }
  const [prefix, local] = splitName(key);
  const ns = scope.get(prefix) ?? '';
  if (prefix !== '' && !scope.has(prefix)) throw new XmlError(`element ${key} uses the undeclared prefix ${prefix}`);

  const attrs: Record<string, string> = {};
  let type: string | null = null;
  for (const [name, value] of Object.entries(rawAttrs)) {
    if (name === 'xmlns' || name.startsWith('xmlns:')) continue;
    const [attrPrefix, attrLocal] = splitName(name);
    if (attrPrefix === '') {
      attrs[attrLocal] = value;
    } else if (attrLocal === 'type' && scope.get(attrPrefix) === XSI) {
      type = splitName(value)[1];
    }
  }

  const children: XmlElement[] = [];
  let text = '';
  for (const child of (node[key] as Ordered[] | undefined) ?? []) {
    if ('#text' in child) {
      text += String(child['#text']);
    } else if (elementKey(child) !== null) {
      children.push(convert(child, scope));
    }
  }
  return { name: local, ns, type, attrs, text: children.length > 0 ? '' : text, children };
}

/** The first child element with this local name, or undefined. */
export function child(element: XmlElement | undefined, name: string): XmlElement | undefined {
  return element?.children.find((c) => c.name === name);
}

/** Every child element with this local name. */
export function children(element: XmlElement | undefined, name: string): XmlElement[] {
  return element ? element.children.filter((c) => c.name === name) : [];
}

/** Follows a path of child names; undefined when a step is missing. */
export function path(element: XmlElement | undefined, ...names: string[]): XmlElement | undefined {
  let current = element;
  for (const name of names) current = child(current, name);
  return current;
}

/** Escapes text for an element or a double-quoted attribute. */
export function escapeXml(value: string): string {
  return value.replace(/[&<>"']/g, (c) => ENTITIES[c]!);
}

const ENTITIES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&apos;' };
