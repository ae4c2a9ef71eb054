import { describe, expect, it } from '@jest/globals'
import {
  compileTemplate,
  literalText,
  PLACEHOLDERS,
  renderTemplate,
  TemplateError,
  timeValues,
  type TemplateValues
} from '../src/template.js'

const VALUES: TemplateValues = {
  timestamp: '1795854942',
  date: '2026-11-28',
  datetime: '20261128T083542Z',
  sha: 'a1b2c3d4e5f60718293a4b5c6d7e8f9012345678',
  short_sha: 'a1b2c3d',
  ref_name: 'fix:login*page',
  run_id: '1234567890',
  run_number: '42',
  run_attempt: '2',
  repository: 'acme/images',
  instance_id: 'i-0123456789abcdef0',
  snapshot_id: 'snap-0123456789abcdef0'
}

function compileError(source: string): TemplateError {
  let thrown: unknown
  try {
    compileTemplate(source)
  } catch (error) {
    thrown = error
  }
  expect(thrown).toBeInstanceOf(TemplateError)
  return thrown as TemplateError
}

describe('compileTemplate', () => {
  it.each([
    ['', []],
    ['plain text', [{ text: 'plain text' }]],
    ['ami-{{ date }}-x', [{ text: 'ami-' }, { placeholder: 'date' }, { text: '-x' }]],
    ['{{sha}}', [{ placeholder: 'sha' }]],
    ['{{   sha   }}', [{ placeholder: 'sha' }]],
    ['{{\tsha\n}}', [{ placeholder: 'sha' }]],
    ['{{ sha }}{{ run_id }}', [{ placeholder: 'sha' }, { placeholder: 'run_id' }]],
    ['{ sha } and {sha}', [{ text: '{ sha } and {sha}' }]],
    ['a{{ run_number }}b{{ run_attempt }}', [{ text: 'a' }, { placeholder: 'run_number' }, { text: 'b' }, { placeholder: 'run_attempt' }]]
  ])('splits %j into parts', (source, parts) => {
    expect(compileTemplate(source)).toStrictEqual({ source, parts })
  })

  it('knows every placeholder it documents', () => {
    for (const placeholder of PLACEHOLDERS) {
      expect(compileTemplate(`{{ ${placeholder} }}`).parts).toStrictEqual([{ placeholder }])
    }
  })

  it.each([
    ['{{ branch }}', 'branch'],
    ['{{ SHA }}', 'SHA'],
    ['{{ sha short }}', 'sha short'],
    ['x {{ sha }} {{ nope }}', 'nope']
  ])('rejects the unknown placeholder in %j and lists the known ones', (source, name) => {
    const error = compileError(source)
    expect(error.name).toBe('TemplateError')
    expect(error.message).toBe(
      `unknown placeholder '{{ ${name} }}'; known placeholders: {{ timestamp }}, {{ date }}, {{ datetime }}, ` +
        '{{ sha }}, {{ short_sha }}, {{ ref_name }}, {{ run_id }}, {{ run_number }}, {{ run_attempt }}, ' +
        '{{ repository }}, {{ instance_id }}, {{ snapshot_id }}'
    )
  })
})

describe('literalText', () => {
  it.each([
    ['web-{{ sha }}-x', 'web--x'],
    ['{{ sha }}', ''],
    ['no placeholders', 'no placeholders'],
    ['', '']
  ])('of %j is %j', (source, text) => {
    expect(literalText(compileTemplate(source))).toBe(text)
  })
})

describe('renderTemplate', () => {
  it('substitutes every placeholder', () => {
    const source = PLACEHOLDERS.map(placeholder => `${placeholder}={{ ${placeholder} }}`).join(' ')
    expect(renderTemplate(compileTemplate(source), VALUES)).toBe(
      'timestamp=1795854942 date=2026-11-28 datetime=20261128T083542Z ' +
        'sha=a1b2c3d4e5f60718293a4b5c6d7e8f9012345678 short_sha=a1b2c3d ref_name=fix:login*page ' +
        'run_id=1234567890 run_number=42 run_attempt=2 repository=acme/images instance_id=i-0123456789abcdef0 ' +
        'snapshot_id=snap-0123456789abcdef0'
    )
  })

  it('renders a template without placeholders as its text', () => {
    expect(renderTemplate(compileTemplate('just text'), VALUES)).toBe('just text')
  })

  it('applies clean to substituted values only, not to the literal text', () => {
    const clean = (value: string) => value.replace(/[:*]/g, '-')
    expect(renderTemplate(compileTemplate('a:b* {{ ref_name }} {{ run_id }}'), VALUES, clean)).toBe(
      'a:b* fix-login-page 1234567890'
    )
  })

  it('calls clean once per substituted value', () => {
    const seen: string[] = []
    renderTemplate(compileTemplate('x {{ run_number }} y {{ run_attempt }}'), VALUES, value => {
      seen.push(value)
      return value
    })
    expect(seen).toStrictEqual(['42', '2'])
  })

  it('fails on a placeholder without a value in this run', () => {
    const template = compileTemplate('web-{{ sha }}')
    const render = () => renderTemplate(template, { ...VALUES, sha: undefined })
    expect(render).toThrow(TemplateError)
    expect(render).toThrow("placeholder '{{ sha }}' has no value in this run")
  })

  it('substitutes an empty value as empty', () => {
    expect(renderTemplate(compileTemplate('a{{ ref_name }}b'), { ...VALUES, ref_name: '' })).toBe('ab')
  })
})

describe('timeValues', () => {
  it('gives unix seconds, the UTC date and the UTC datetime of one instant', () => {
    expect(timeValues(Date.UTC(2026, 10, 28, 8, 35, 42, 123))).toStrictEqual({
      timestamp: '1795854942',
      date: '2026-11-28',
      datetime: '20261128T083542Z'
    })
  })

  it('rounds down to the second, never into the next day', () => {
    expect(timeValues(Date.UTC(2026, 11, 31, 23, 59, 59, 999))).toStrictEqual({
      timestamp: '1798761599',
      date: '2026-12-31',
      datetime: '20261231T235959Z'
    })
  })

  it('pads single-digit months, days and times', () => {
    expect(timeValues(Date.UTC(2027, 0, 2, 3, 4, 5))).toStrictEqual({
      timestamp: '1798859045',
      date: '2027-01-02',
      datetime: '20270102T030405Z'
    })
  })

  it('starts at the epoch', () => {
    expect(timeValues(0)).toStrictEqual({ timestamp: '0', date: '1970-01-01', datetime: '19700101T000000Z' })
  })
})
