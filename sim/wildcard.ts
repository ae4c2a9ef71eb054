// EC2 filter values and IAM StringLike conditions both treat `*` as any run of characters and `?` as
// exactly one; everything else is literal and case-sensitive.

export function wildcardMatch(pattern: string, value: string): boolean {
  const source = pattern
    .split('')
    .map((c) => (c === '*' ? '.*' : c === '?' ? '.' : c.replace(/[.+^${}()|[\]\\]/g, '\\$&')))
    .join('')
  return new RegExp(`^${source}$`, 's').test(value)
}
