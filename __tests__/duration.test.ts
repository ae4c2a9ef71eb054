import { describe, expect, it } from '@jest/globals'
import { formatDuration, parseDuration } from '../src/duration.js'

describe('parseDuration', () => {
  it.each([
    ['90s', 90_000],
    ['45m', 2_700_000],
    ['2h', 7_200_000],
    ['1h30m', 5_400_000],
    ['1h0m5s', 3_605_000],
    ['3600', 3_600_000],
    ['1', 1_000]
  ])('reads %s as %d ms', (text, ms) => {
    expect(parseDuration(text)).toBe(ms)
  })

  it.each(['', '0', '0s', '0h0m', '-5', '1d', '1.5h', 'abc', '30m1h', '1 h', 'h'])('refuses %j', text => {
    expect(parseDuration(text)).toBeUndefined()
  })
})

describe('formatDuration', () => {
  it.each([
    [0, '0s'],
    [499, '0s'],
    [6_000, '6s'],
    [59_499, '59s'],
    [59_500, '1m00s'],
    [245_000, '4m05s'],
    [3_600_000, '1h00m00s'],
    [3_723_000, '1h02m03s'],
    [36_000_000 + 59_000, '10h00m59s']
  ])('formats %d ms as %s', (ms, text) => {
    expect(formatDuration(ms)).toBe(text)
  })
})

