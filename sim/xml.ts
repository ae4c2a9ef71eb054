// Just enough XML writing for AWS Query responses: elements with text, elements with children, and the
// `<name><item>…</item></name>` lists EC2 uses. Children are passed already rendered.

export function escapeXml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => `&${{ '&': 'amp', '<': 'lt', '>': 'gt', '"': 'quot', "'": 'apos' }[c]};`)
}

/** `<name>value</name>`, or nothing when the value is undefined (AWS leaves unset members out). */
export function leaf(name: string, value: string | number | boolean | undefined): string {
  return value === undefined ? '' : `<${name}>${escapeXml(String(value))}</${name}>`
}

/** `<name>children</name>`; children that rendered to '' drop out. */
export function node(name: string, ...children: string[]): string {
  return `<${name}>${children.join('')}</${name}>`
}

/** `<name><item>…</item>…</name>`, the EC2 list shape; an empty list is an empty element. */
export function itemSet(name: string, items: string[]): string {
  return node(name, ...items.map((inner) => node('item', inner)))
}

/** A whole document whose root carries the service namespace. */
export function document(root: string, namespace: string, ...children: string[]): string {
  return `<?xml version="1.0" encoding="UTF-8"?>\n<${root} xmlns="${namespace}">${children.join('')}</${root}>`
}
