/**
 * `{{ placeholder }}` templates for the image name, description and tag values. Compiling checks the
 * placeholders, so an unknown one fails with the inputs, before any AWS call; rendering is pure.
 */

export const PLACEHOLDERS = [
  'timestamp',
  'date',
  'datetime',
  'sha',
  'short_sha',
  'ref_name',
  'run_id',
  'run_number',
  'run_attempt',
  'repository',
  'instance_id',
  'snapshot_id'
] as const

export type Placeholder = (typeof PLACEHOLDERS)[number]

/** The value of every placeholder; undefined where the run does not know it (e.g. no GITHUB_SHA). */
export type TemplateValues = Record<Placeholder, string | undefined>

export type TemplatePart = { text: string } | { placeholder: Placeholder }

export interface Template {
  readonly source: string
  readonly parts: readonly TemplatePart[]
}

const PLACEHOLDER_PATTERN = /\{\{\s*([^{}]*?)\s*\}\}/g

export class TemplateError extends Error {
  override name = 'TemplateError'
}

export function compileTemplate(source: string): Template {
  const parts: TemplatePart[] = []
  let last = 0
  for (const match of source.matchAll(PLACEHOLDER_PATTERN)) {
    const name = match[1]
    if (!isPlaceholder(name)) {
      throw new TemplateError(
        `unknown placeholder '{{ ${name} }}'; known placeholders: ${PLACEHOLDERS.map(p => `{{ ${p} }}`).join(', ')}`
      )
    }
    if (match.index > last) parts.push({ text: source.slice(last, match.index) })
    parts.push({ placeholder: name })
    last = match.index + match[0].length
  }
  if (last < source.length) parts.push({ text: source.slice(last) })
  return { source, parts }
}

/** The literal text of a template, without its placeholders. */
export function literalText(template: Template): string {
  return template.parts.map(part => ('text' in part ? part.text : '')).join('')
}

/**
 * Renders a template. `clean` is applied to each substituted value (not to the literal text), so
 * that a branch called `fix:login` can still go into an AMI name.
 */
export function renderTemplate(
  template: Template,
  values: TemplateValues,
  clean: (value: string) => string = value => value
): string {
  return template.parts
    .map(part => {
      if ('text' in part) return part.text
      const value = values[part.placeholder]
      if (value === undefined) {
        throw new TemplateError(`placeholder '{{ ${part.placeholder} }}' has no value in this run`)
      }
      return clean(value)
    })
    .join('')
}

/** The values of the time placeholders, all from one instant so that they agree with each other. */
export function timeValues(nowMs: number): Pick<TemplateValues, 'timestamp' | 'date' | 'datetime'> {
  const iso = new Date(nowMs).toISOString() // 2026-11-28T08:35:42.123Z
  return {
    timestamp: String(Math.floor(nowMs / 1000)),
    date: iso.slice(0, 10),
    datetime: `${iso.slice(0, 19).replace(/[-:]/g, '')}Z`
  }
}

function isPlaceholder(name: string): name is Placeholder {
  return (PLACEHOLDERS as readonly string[]).includes(name)
}
