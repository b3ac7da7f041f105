/**
 * A small element-tree writer for the documents the SOAP edge publishes (the WSDL/XSD set): messages
 * on the wire are written by `writer.ts` from their plans, without a tree.
 */
import { escapeXml } from './writer';

/** An element to write: `@name` attributes, `#` text, other keys child elements (arrays repeat the element). */
export type XmlOut = string | XmlOut[] | { [key: string]: XmlOut };

function element(name: string, content: Exclude<XmlOut, XmlOut[]>, depth: number, pretty: boolean): string {
  const indent = pretty ? `\n${'  '.repeat(depth)}` : '';
  if (typeof content === 'string') return content === '' ? `${indent}<${name}/>` : `${indent}<${name}>${escapeXml(content)}</${name}>`;
  let attributes = '';
  let text = '';
  let children = '';
  for (const [key, value] of Object.entries(content)) {
    if (key.startsWith('@')) attributes += ` ${key.slice(1)}="${escapeXml(value as string)}"`;
    else if (key === '#') text = escapeXml(value as string);
    else for (const item of Array.isArray(value) ? value : [value]) children += element(key, item as Exclude<XmlOut, XmlOut[]>, depth + 1, pretty);
  }
  if (text === '' && children === '') return `${indent}<${name}${attributes}/>`;
  return `${indent}<${name}${attributes}>${text}${children}${children === '' ? '' : indent}</${name}>`;
}

/** A document with its XML declaration; `pretty` indents it for people. */
export function writeXml(root: { [name: string]: XmlOut }, options: { pretty?: boolean } = {}): string {
  const [name, content] = Object.entries(root)[0]!;
  return `<?xml version="1.0" encoding="UTF-8"?>${element(name, content as Exclude<XmlOut, XmlOut[]>, 0, options.pretty === true)}`;
}
