import { describe, expect, it } from '@jest/globals'
import { AttemptLog, CREATION_SLACK_MS, mayHaveActed } from '../src/attempts.js'

/** A failed attempt as the SDK's parser leaves it: the code in `name`, the HTTP status in `$metadata`. */
function answered(status: number, name: string): Error {
  return Object.assign(new Error(`${name} happened`), { name, $metadata: { httpStatusCode: status } })
}

/** A failure with no answer at all, as Node's HTTP client gives it. */
function unanswered(code: string | undefined, name = 'Error'): Error {
  return Object.assign(new Error('no answer'), { name, code })
}

describe('mayHaveActed', () => {
  it.each([
    { what: 'a dropped connection (ECONNRESET)', error: unanswered('ECONNRESET'), acted: true },
    { what: 'a broken pipe (EPIPE)', error: unanswered('EPIPE'), acted: true },
    { what: 'a timeout', error: unanswered(undefined, 'TimeoutError'), acted: true },
    { what: 'anything thrown without an answer', error: 'socket hang up', acted: true },
    { what: 'a 5xx without a code (a proxy answered)', error: answered(502, 'Unknown'), acted: true },
    { what: "EC2's InternalError (500)", error: answered(500, 'InternalError'), acted: true },
    { what: 'a 200 whose body could not be parsed', error: answered(200, 'SyntaxError'), acted: true },
    { what: 'a refused connection', error: unanswered('ECONNREFUSED'), acted: false },
    { what: 'a host that does not resolve', error: unanswered('ENOTFOUND'), acted: false },
    { what: 'throttling (503 RequestLimitExceeded)', error: answered(503, 'RequestLimitExceeded'), acted: false },
    { what: 'throttling (400 Throttling)', error: answered(400, 'Throttling'), acted: false },
    { what: "EC2's overload refusal (503 Unavailable)", error: answered(503, 'Unavailable'), acted: false },
    { what: 'a client error (400 InvalidAMIName.Duplicate)', error: answered(400, 'InvalidAMIName.Duplicate'), acted: false },
    { what: 'a denial (403 UnauthorizedOperation)', error: answered(403, 'UnauthorizedOperation'), acted: false }
  ])('$what: $acted', ({ error, acted }) => {
    expect(mayHaveActed(error)).toBe(acted)
  })
})

describe('AttemptLog', () => {
  /** A clock that moves only when told to. */
  const clock = () => {
    const c = { t: 1_000_000, now: () => c.t }
    return c
  }

  /** Records one attempt from `at` to `at + tookMs` that fails with `error`. */
  async function fail(log: AttemptLog, c: { t: number }, at: number, tookMs: number, error: unknown): Promise<void> {
    c.t = at
    await log
      .record(async () => {
        c.t += tookMs
        throw error
      })
      .catch(() => undefined)
  }

  it('records when each attempt went out and came back, and passes its result through', async () => {
    const c = clock()
    const log = new AttemptLog(c.now)
    await fail(log, c, 1_000_000, 200, answered(503, 'RequestLimitExceeded'))
    c.t = 1_000_500
    await expect(
      log.record(async () => {
        c.t += 100
        return 'ami-1'
      })
    ).resolves.toBe('ami-1')
    expect(log.attempts).toStrictEqual([
      { sentAt: 1_000_000, endedAt: 1_000_200, mayHaveActed: false },
      { sentAt: 1_000_500, endedAt: 1_000_600, mayHaveActed: true }
    ])
  })

  it('rethrows the attempt’s own error', async () => {
    const log = new AttemptLog(() => 0)
    const error = unanswered('ECONNRESET')
    await expect(log.record(() => Promise.reject(error))).rejects.toBe(error)
  })

  it('knows no attempt acted when every one was refused', async () => {
    const c = clock()
    const log = new AttemptLog(c.now)
    await fail(log, c, 1_000_000, 10, answered(503, 'RequestLimitExceeded'))
    await fail(log, c, 1_000_100, 10, answered(400, 'InvalidAMIName.Duplicate'))
    expect(log.someMayHaveActed()).toBe(false)
    expect(log.couldHaveMade(1_000_005, 0)).toBe(false)
  })

  describe('couldHaveMade', () => {
    // Throttled, then lost from 2_000_000 to 2_000_300, then answered Duplicate.
    async function lostSecondAttempt(): Promise<AttemptLog> {
      const c = clock()
      const log = new AttemptLog(c.now)
      await fail(log, c, 1_000_000, 10, answered(503, 'RequestLimitExceeded'))
      await fail(log, c, 2_000_000, 300, unanswered('ECONNRESET'))
      await fail(log, c, 2_001_000, 10, answered(400, 'InvalidAMIName.Duplicate'))
      return log
    }

    it.each([
      ['while the lost attempt was in flight', 2_000_150, true],
      ['within the slack before it (CreationDate is in whole seconds)', 2_000_000 - CREATION_SLACK_MS, true],
      ['within the slack after it', 2_000_300 + CREATION_SLACK_MS, true],
      ['before it, beyond the slack, though after the first send', 2_000_000 - CREATION_SLACK_MS - 1, false],
      ['while only the throttled attempt was in flight', 1_000_005, false],
      ['after it, beyond the slack', 2_000_300 + CREATION_SLACK_MS + 1, false],
      ['at an unreadable date', Number.NaN, false]
    ])('an image created %s (at %d)', async (_, createdAt, expected) => {
      const log = await lostSecondAttempt()
      expect(log.someMayHaveActed()).toBe(true)
      expect(log.couldHaveMade(createdAt, 0)).toBe(expected)
    })

    it("reads the image's date on EC2's clock, as far ahead as the SDK measured", async () => {
      const log = await lostSecondAttempt()
      const ahead = 10 * 60_000
      expect(log.couldHaveMade(2_000_150 + ahead, ahead)).toBe(true)
      expect(log.couldHaveMade(2_000_150, ahead)).toBe(false)
      expect(log.couldHaveMade(2_000_150 - ahead, -ahead)).toBe(true)
      expect(log.couldHaveMade(2_000_150, -ahead)).toBe(false)
    })
  })
})
