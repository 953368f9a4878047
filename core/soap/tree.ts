/**
 * A small element tree of a parsed SOAP message: names are local (prefix removed), the namespace is resolved
 * from xmlns declarations in scope, so "qualified or not" is one question (`ns`) instead of two spellings.
 */

export interface XmlElement {
  /** Local name, without prefix. */
  name: string;
  /** Resolved namespace URI; '' when unqualified. */
  ns: string;
  attributes: Record<string, string>;
  children: XmlElement[];
  /** Concatenated text content of this element itself (not its children), trimmed. */
  text: string;
}

export function child(element: XmlElement | undefined, name: string): XmlElement | undefined {
  return element?.children.find((c) => c.name === name);
}

export function children(element: XmlElement | undefined, name: string): XmlElement[] {
  return element ? element.children.filter((c) => c.name === name) : [];
}

/** The text of a child element, or undefined when the child is absent or nil (xsi:nil="true"). */
export function childText(element: XmlElement | undefined, name: string): string | undefined {
  const found = child(element, name);
  if (!found || isNil(found)) return undefined;
  return found.text;
}

/** The text of a child element, or undefined when it is absent, nil or empty: "not given" in request fields. */
export function nonEmptyChildText(element: XmlElement | undefined, name: string): string | undefined {
  const value = childText(element, name);
  return value === undefined || value === '' ? undefined : value;
}

export function isNil(element: XmlElement): boolean {
  return Object.entries(element.attributes).some(([key, value]) => (key === 'nil' || key.endsWith(':nil')) && value === 'true');
}

/** Follows a path of local names ("Response/OrderResponseHeader/SuccessCode"). */
export function at(element: XmlElement | undefined, path: string): XmlElement | undefined {
  let current = element;
  for (const name of path.split('/')) current = child(current, name);
  return current;
}
