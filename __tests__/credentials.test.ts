/**
 * `fromWebToken` builds its own STS client inside the SDK, so the module is replaced before
 * credentials.ts is imported (ESM mocks must come before a dynamic import). Everything runs on virtual
 * time: timers fire only when a test moves the clock, so no assertion depends on how fast this machine is.
 */
import { beforeEach, describe, expect, it, jest } from '@jest/globals'
import type { AwsCredentialIdentity } from '@smithy/types'

type WebTokenInit = {
  roleArn: string
  roleSessionName?: string
  durationSeconds?: number
  webIdentityToken: string
  clientConfig?: { region?: string; maxAttempts?: number }
}
const fromWebToken = jest.fn<(init: WebTokenInit) => () => Promise<AwsCredentialIdentity>>()
jest.unstable_mockModule('@aws-sdk/credential-providers', () => ({ fromWebToken }))

const { describeTokenFailure, explainAssumeRoleError, roleCredentials, tokenClaims } = await import('../src/credentials.js')
const { AwsError } = await import('../src/errors.js')

const SETTINGS = {
  kind: 'oidc',
  roleArn: 'arn:aws:iam::123456789012:role/bake-ami',
  sessionName: 'bake-ami',
  durationSeconds: 3600,
  audience: 'sts.amazonaws.com'
} as const
const SUB = 'repo:acme/images:ref:refs/heads/main'
const SECOND = 1000
const MINUTE = 60 * SECOND
const HOUR = 60 * MINUTE
/** The virtual clock's start: 2026-12-02T10:00:00Z, so that times in messages read well. */
const T0 = Date.UTC(2026, 11, 2, 10, 0, 0)

/** A JWT-shaped token; only the payload matters here. */
function jwt(payload: Record<string, unknown>, signature = 'c2lnbmF0dXJl'): string {
  const part = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64url')
  return `${part({ alg: 'RS256', typ: 'JWT' })}.${part(payload)}.${signature}`
}

function sdkError(code: string, message: string, status = 400): Error {
  return Object.assign(new Error(message), { name: code, $metadata: { httpStatusCode: status } })
}

/** What `core.getIDToken` throws when the token endpoint answers `status` (its own wording). */
function tokenError(status: number | undefined, message = 'Internal Server Error'): Error {
  return new Error(`Error message: Failed to get ID Token. \n \n        Error Code : ${status}\n \n        Error Message: ${message}`)
}

/** Lets every promise chain that is waiting on nothing but other promises run to its end. */
const settle = (): Promise<void> => new Promise(resolve => setImmediate(resolve))

/**
 * A virtual clock. `sleep` (a request held up) and `idle` (background renewal) register timers that fire
 * only when the test moves time on, in order, each followed by whatever code it wakes.
 */
class VirtualTime {
  t = T0
  readonly slept: number[] = []
  readonly idled: number[] = []
  private timers: { at: number; fire: () => void }[] = []

  readonly now = (): number => this.t
  readonly sleep = (ms: number, signal?: AbortSignal): Promise<void> => this.timer(ms, signal, this.slept)
  readonly idle = (ms: number, signal?: AbortSignal): Promise<void> => this.timer(ms, signal, this.idled)

  private timer(ms: number, signal: AbortSignal | undefined, log: number[]): Promise<void> {
    log.push(ms)
    return new Promise<void>(resolve => {
      if (signal?.aborted || !(ms > 0)) {
        resolve()
        return
      }
      const entry = {
        at: this.t + ms,
        fire: () => {
          this.timers = this.timers.filter(other => other !== entry)
          signal?.removeEventListener('abort', entry.fire)
          resolve()
        }
      }
      this.timers.push(entry)
      signal?.addEventListener('abort', entry.fire, { once: true })
    })
  }

  /** Timers still to fire. */
  get pending(): number {
    return this.timers.length
  }

  /** Moves the clock to `to`, firing every timer due by then in order. */
  async advanceTo(to: number): Promise<void> {
    await settle()
    for (;;) {
      const next = this.timers.filter(timer => timer.at <= to).sort((a, b) => a.at - b.at)[0]
      if (!next) break
      this.t = next.at
      next.fire()
      await settle()
    }
    this.t = to
    await settle()
  }

  advance(ms: number): Promise<void> {
    return this.advanceTo(this.t + ms)
  }

  /** Moves the clock on, timer by timer, until `promise` settles; its outcome. */
  async outcome<T>(promise: Promise<T>): Promise<{ value?: T; error?: unknown; at: number }> {
    let result: { value?: T; error?: unknown } | undefined
    promise.then(
      value => (result = { value }),
      (error: unknown) => (result = { error })
    )
    await settle()
    while (!result) {
      const next = Math.min(...this.timers.map(timer => timer.at))
      if (!Number.isFinite(next)) throw new Error('stuck: the promise waits on something other than time')
      await this.advanceTo(next)
    }
    return { ...result, at: this.t }
  }
}

/** Whether `promise` has settled without the clock moving. */
async function settledNow(promise: Promise<unknown>): Promise<boolean> {
  let settled = false
  promise.then(
    () => (settled = true),
    () => (settled = true)
  )
  await settle()
  return settled
}

/**
 * Fake deps on a virtual clock. The token endpoint can be down for a while (`tokenDown`) or answer a
 * given failure (`tokenFailure`); every token, mask and token request is recorded in `log`.
 */
function fakeDeps() {
  const time = new VirtualTime()
  const cancel = new AbortController()
  const deps = {
    time,
    cancel,
    tokens: [] as string[],
    log: [] as string[],
    /** What `info` was told. */
    lines: [] as string[],
    canRequest: true,
    tokenFailure: undefined as unknown,
    tokenDown: undefined as { from: number; to: number } | undefined,
    async getIDToken(audience: string): Promise<string> {
      deps.log.push(`token:${audience}`)
      if (deps.tokenFailure !== undefined) throw deps.tokenFailure
      const down = deps.tokenDown
      if (down && time.t >= down.from && time.t < down.to) throw tokenError(500)
      const token = jwt({ sub: SUB, aud: audience, jti: `token-${deps.tokens.length + 1}` })
      deps.tokens.push(token)
      return token
    },
    mask(secret: string): void {
      deps.log.push(`mask:${secret}`)
    },
    info(line: string): void {
      deps.lines.push(line)
    },
    now: time.now,
    sleep: time.sleep,
    idle: time.idle,
    random: () => 1,
    canRequestIdToken(): boolean {
      return deps.canRequest
    },
    signal: cancel.signal
  }
  return deps
}

type FakeDeps = ReturnType<typeof fakeDeps>

/**
 * Each assume hands out numbered credentials that expire `lifetimeMs` after the virtual now (null: never).
 * `sts.failure` makes AssumeRoleWithWebIdentity fail; `sts.gate` holds its answer back until resolved.
 */
function issueCredentials(deps: FakeDeps, lifetimeMs: number | null = HOUR) {
  const sts = { issued: 0, failure: undefined as unknown, gate: undefined as Promise<void> | undefined }
  fromWebToken.mockImplementation(() => async () => {
    await sts.gate
    if (sts.failure !== undefined) throw sts.failure
    sts.issued++
    return {
      accessKeyId: `ASIA${sts.issued}`,
      secretAccessKey: `secret-${sts.issued}`,
      sessionToken: `session-${sts.issued}`,
      expiration: lifetimeMs === null ? undefined : new Date(deps.time.t + lifetimeMs)
    }
  })
  return sts
}

function tokenRequests(deps: FakeDeps): number {
  return deps.log.filter(line => line.startsWith('token:')).length
}

beforeEach(() => {
  fromWebToken.mockReset()
})

describe('roleCredentials', () => {
  it('fetches a token for the audience and assumes the role with it in the region', async () => {
    const deps = fakeDeps()
    issueCredentials(deps)
    const { provider } = roleCredentials({ ...SETTINGS, audience: 'sts.amazonaws.com.cn' }, 'cn-north-1', deps)
    await provider()
    expect(deps.log[0]).toBe('token:sts.amazonaws.com.cn')
    expect(fromWebToken.mock.calls).toStrictEqual([
      [
        {
          roleArn: SETTINGS.roleArn,
          roleSessionName: 'bake-ami',
          durationSeconds: 3600,
          webIdentityToken: deps.tokens[0],
          clientConfig: { region: 'cn-north-1', maxAttempts: 8 }
        }
      ]
    ])
  })

  it('masks all three parts of the credentials before returning them', async () => {
    const deps = fakeDeps()
    issueCredentials(deps)
    const { provider } = roleCredentials(SETTINGS, 'eu-west-1', deps)
    const credentials = await provider()
    deps.log.push('returned')
    expect(credentials).toMatchObject({ accessKeyId: 'ASIA1', secretAccessKey: 'secret-1', sessionToken: 'session-1' })
    expect(deps.log).toStrictEqual(['token:sts.amazonaws.com', 'mask:ASIA1', 'mask:secret-1', 'mask:session-1', 'returned'])
  })

  it('says it memoizes, so the SDK calls it for every request', () => {
    expect(roleCredentials(SETTINGS, 'eu-west-1', fakeDeps()).provider.memoized).toBe(true)
  })

  it('hands out the same credentials until renewal is due', async () => {
    const deps = fakeDeps()
    issueCredentials(deps)
    const { provider } = roleCredentials(SETTINGS, 'eu-west-1', deps)
    const first = await provider()
    await deps.time.advance(HOUR - 5 * MINUTE - 1)
    await expect(provider()).resolves.toBe(first)
    expect(deps.tokens).toHaveLength(1)
    expect(fromWebToken).toHaveBeenCalledTimes(1)
  })

  it('shares one assume between concurrent requests', async () => {
    const deps = fakeDeps()
    issueCredentials(deps)
    const { provider } = roleCredentials(SETTINGS, 'eu-west-1', deps)
    const [a, b] = await Promise.all([provider(), provider()])
    expect(b).toBe(a)
    expect(fromWebToken).toHaveBeenCalledTimes(1)
  })

  it.each([
    ['a quarter of a 16-minute session', 16 * MINUTE, 12 * MINUTE],
    ['a quarter of a 30-second session', 30 * SECOND, 22.5 * SECOND],
    ['5 minutes before the end of a 1-hour session', HOUR, 55 * MINUTE],
    ['5 minutes before the end of a 12-hour session', 12 * HOUR, 12 * HOUR - 5 * MINUTE]
  ])('renews in the background at %s, with a new token, while requests keep the held credentials', async (_, lifetime, renewAfter) => {
    const deps = fakeDeps()
    issueCredentials(deps, lifetime)
    const { provider } = roleCredentials(SETTINGS, 'eu-west-1', deps)
    const first = await provider()
    await deps.time.advance(renewAfter - 1)
    expect(deps.tokens).toHaveLength(1)
    await expect(provider()).resolves.toBe(first)

    await deps.time.advance(1)
    // No request asked: the renewal came on its own, and the next request signs with what it got.
    expect(deps.tokens).toHaveLength(2)
    expect(fromWebToken.mock.calls.map(([init]) => init.webIdentityToken)).toStrictEqual(deps.tokens)
    const renewed = await provider()
    expect(renewed.accessKeyId).toBe('ASIA2')
    expect(deps.log.filter(line => line.startsWith('mask:'))).toHaveLength(6)
    expect(deps.time.slept).toStrictEqual([])
    // The renewed credentials are then held in their turn, and renewed a session later.
    await deps.time.advance(renewAfter - 1)
    await expect(provider()).resolves.toBe(renewed)
    await deps.time.advance(1)
    expect(fromWebToken).toHaveBeenCalledTimes(3)
  })

  it('keeps credentials without an expiry, and never renews them', async () => {
    const deps = fakeDeps()
    issueCredentials(deps, null)
    const { provider } = roleCredentials(SETTINGS, 'eu-west-1', deps)
    const first = await provider()
    await deps.time.advance(100 * HOUR)
    await expect(provider()).resolves.toBe(first)
    expect(deps.time.pending).toBe(0)
    expect(fromWebToken).toHaveBeenCalledTimes(1)
  })

  it('trusts AWS rather than a clock that says the credentials arrived expired: no assume per request', async () => {
    const deps = fakeDeps()
    issueCredentials(deps, -MINUTE)
    const { provider } = roleCredentials(SETTINGS, 'eu-west-1', deps)
    const first = await provider()
    for (let i = 0; i < 5; i++) await expect(provider()).resolves.toBe(first)
    expect(fromWebToken).toHaveBeenCalledTimes(1)
  })

  describe('through a token-endpoint outage', () => {
    // The end-to-end case in virtual time: 30 s sessions, renewal from 22.5 s, the token endpoint down from 10 s to 24 s.
    it('keeps signing with the held credentials and renews once the endpoint is back, before they expire', async () => {
      const deps = fakeDeps()
      deps.random = () => 0.5
      issueCredentials(deps, 30 * SECOND)
      const { provider } = roleCredentials(SETTINGS, 'eu-west-1', deps)
      const first = await provider()
      deps.tokenDown = { from: T0 + 10 * SECOND, to: T0 + 24 * SECOND }

      const handedOut: string[] = []
      while (deps.time.t < T0 + 30 * SECOND) {
        // A request every 250 ms, none of which waits for the renewal.
        const request = provider()
        expect(await settledNow(request)).toBe(true)
        handedOut.push((await request).accessKeyId)
        await deps.time.advance(250)
      }
      expect(handedOut.slice(0, 4 * 24)).toStrictEqual(Array(4 * 24).fill(first.accessKeyId))
      expect(handedOut.at(-1)).toBe('ASIA2')
      // The renewal started at 22.5 s, into the outage, and retried until it was over.
      const failed = tokenRequests(deps) - deps.tokens.length
      expect(failed).toBe(2)
      expect(deps.tokens).toHaveLength(2)
      expect(fromWebToken).toHaveBeenCalledTimes(2)
      expect(deps.time.slept).toStrictEqual([])
      expect(deps.lines).toStrictEqual([
        "Could not renew the AWS credentials yet: GitHub's OIDC token endpoint answered HTTP 500. " +
          'The held ones are used meanwhile (until 2026-12-02T10:00:30Z).',
        // Tries at 22.5 s, 23.25 s and 24.75 s (waits of 0.75 and 1.5 s): the last one, after the outage, got through.
        `Renewed the AWS credentials of ${SETTINGS.roleArn} after 3 attempts, valid until 2026-12-02T10:00:54Z.`
      ])
    })

    it('retries with growing, jittered waits that never run past the expiry', async () => {
      const deps = fakeDeps()
      let draws = 0
      deps.random = () => [0, 1, 0.5][draws++ % 3]
      issueCredentials(deps, 16 * MINUTE)
      const { provider } = roleCredentials(SETTINGS, 'eu-west-1', deps)
      await provider()
      deps.tokenFailure = tokenError(503)
      await deps.time.advance(16 * MINUTE)
      // Waits of half a step plus jitter (1, 2, 4, 8, 16, 30 s capped), the last cut short at expiry.
      const retries = deps.time.idled.slice(1)
      expect(retries.slice(0, 7)).toStrictEqual([500, 2000, 3000, 4000, 16_000, 22_500, 15_000])
      const tries = tokenRequests(deps) - 1
      expect(tries).toBe(retries.length + 1)
      expect(retries.reduce((a, b) => a + b, 0)).toBe(4 * MINUTE)
    })

    it('fails only once the held credentials have expired, saying the token endpoint failed and when', async () => {
      const deps = fakeDeps()
      issueCredentials(deps, 16 * MINUTE)
      const { provider } = roleCredentials(SETTINGS, 'eu-west-1', deps)
      const first = await provider()
      deps.tokenFailure = tokenError(500)
      await deps.time.advance(16 * MINUTE - 1)
      await expect(provider()).resolves.toBe(first)
      await deps.time.advance(1)

      const { error, at } = await deps.time.outcome(provider())
      expect(error).toBeInstanceOf(AwsError)
      expect(error).toMatchObject({ operation: 'GetIDToken', code: 'IdTokenRequestFailed' })
      const tries = tokenRequests(deps) - 1
      expect((error as Error).message).toBe(
        `The AWS credentials of ${SETTINGS.roleArn} expired at 2026-12-02T10:16:00Z and could not be renewed: ` +
          `GitHub's OIDC token endpoint answered HTTP 500 (${tries} attempts in 4m07s). ` +
          `This is on GitHub's side: re-run the job later (https://www.githubstatus.com shows outages).`
      )
      expect((error as Error).message).not.toContain('id-token')
      // The request that found them expired tried 4 times, 1 + 2 + 4 s apart.
      expect(deps.time.slept).toStrictEqual([1000, 2000, 4000])
      expect(at - (T0 + 16 * MINUTE)).toBe(7 * SECOND)
    })

    it('lets a request that finds the credentials expired carry on once a retry gets through', async () => {
      const deps = fakeDeps()
      issueCredentials(deps, 16 * MINUTE)
      const { provider } = roleCredentials(SETTINGS, 'eu-west-1', deps)
      await provider()
      deps.tokenDown = { from: T0, to: T0 + 16 * MINUTE + 2 * SECOND }
      await deps.time.advance(16 * MINUTE)
      const { value, at } = await deps.time.outcome(provider())
      expect(value).toMatchObject({ accessKeyId: 'ASIA2' })
      expect(at).toBe(T0 + 16 * MINUTE + 3 * SECOND)
    })
  })

  describe('one renewal per session', () => {
    it('makes one exchange however many requests come while it is out', async () => {
      const deps = fakeDeps()
      const sts = issueCredentials(deps, 16 * MINUTE)
      const { provider } = roleCredentials(SETTINGS, 'eu-west-1', deps)
      const first = await provider()
      let answer!: () => void
      sts.gate = new Promise<void>(resolve => (answer = resolve))
      await deps.time.advance(12 * MINUTE)
      const requests = Array.from({ length: 50 }, () => provider())
      for (const request of requests) await expect(request).resolves.toBe(first)
      await deps.time.advance(MINUTE)
      answer()
      await settle()
      await expect(provider()).resolves.toMatchObject({ accessKeyId: 'ASIA2' })
      expect(deps.tokens).toHaveLength(2)
      expect(fromWebToken).toHaveBeenCalledTimes(2)
    })

    it('shares one exchange at a time between requests held up for expired credentials', async () => {
      const deps = fakeDeps()
      issueCredentials(deps, 16 * MINUTE)
      const { provider } = roleCredentials(SETTINGS, 'eu-west-1', deps)
      await provider()
      deps.tokenFailure = tokenError(500)
      await deps.time.advance(16 * MINUTE)
      const before = tokenRequests(deps)
      const outcomes = await deps.time.outcome(Promise.allSettled(Array.from({ length: 20 }, () => provider())))
      expect(outcomes.value?.every(outcome => outcome.status === 'rejected')).toBe(true)
      expect(tokenRequests(deps) - before).toBe(4)
    })

    it('joins a renewal already out when AWS says the credentials expired', async () => {
      const deps = fakeDeps()
      const sts = issueCredentials(deps, 16 * MINUTE)
      const role = roleCredentials(SETTINGS, 'eu-west-1', deps)
      await role.provider()
      let answer!: () => void
      sts.gate = new Promise<void>(resolve => (answer = resolve))
      await deps.time.advance(12 * MINUTE)
      role.renew(deps.time.t)
      const held = role.provider()
      expect(await settledNow(held)).toBe(false)
      answer()
      await expect(held).resolves.toMatchObject({ accessKeyId: 'ASIA2' })
      expect(fromWebToken).toHaveBeenCalledTimes(2)
    })
  })

  describe('renew() (AWS said the credentials expired)', () => {
    it('assumes again with a new token', async () => {
      const deps = fakeDeps()
      issueCredentials(deps)
      const role = roleCredentials(SETTINGS, 'eu-west-1', deps)
      await role.provider()
      role.renew()
      await expect(role.provider()).resolves.toMatchObject({ accessKeyId: 'ASIA2' })
      expect(deps.tokens).toHaveLength(2)
      expect(deps.tokens[1]).not.toBe(deps.tokens[0])
      expect(fromWebToken).toHaveBeenCalledTimes(2)
    })

    it('keeps credentials obtained after the refused call started, and renews once for many refusals', async () => {
      const deps = fakeDeps()
      issueCredentials(deps)
      const role = roleCredentials(SETTINGS, 'eu-west-1', deps)
      await role.provider()
      await deps.time.advance(MINUTE)
      // Three calls out since before the first credentials died, refused one after the other.
      const since = deps.time.t - SECOND
      role.renew(since)
      const renewed = await role.provider()
      role.renew(since)
      role.renew(since)
      await expect(role.provider()).resolves.toBe(renewed)
      expect(renewed.accessKeyId).toBe('ASIA2')
      expect(fromWebToken).toHaveBeenCalledTimes(2)
    })
  })

  describe('failures', () => {
    it('does not keep a failed assume: the next request tries again', async () => {
      const deps = fakeDeps()
      issueCredentials(deps)
      fromWebToken.mockImplementationOnce(() => async () => {
        throw sdkError('AccessDenied', 'Not authorized to perform sts:AssumeRoleWithWebIdentity', 403)
      })
      const { provider } = roleCredentials(SETTINGS, 'eu-west-1', deps)
      const error = await provider().catch((thrown: unknown) => thrown)
      expect(error).toBeInstanceOf(AwsError)
      expect(error).toMatchObject({ operation: 'AssumeRoleWithWebIdentity', code: 'AccessDenied' })
      // AccessDenied is not worth a retry: one token, one assume.
      expect(deps.tokens).toHaveLength(1)
      await expect(provider()).resolves.toMatchObject({ accessKeyId: 'ASIA1' })
      expect(deps.tokens).toHaveLength(2)
      expect(deps.log.filter(line => line.startsWith('mask:'))).toStrictEqual(['mask:ASIA1', 'mask:secret-1', 'mask:session-1'])
    })

    it('says to grant id-token: write, without asking for a token, when the job cannot get one', async () => {
      const deps = fakeDeps()
      deps.canRequest = false
      issueCredentials(deps)
      const { provider } = roleCredentials(SETTINGS, 'eu-west-1', deps)
      const error = await provider().catch((thrown: unknown) => thrown)
      expect(error).toBeInstanceOf(AwsError)
      expect(error).toMatchObject({ code: 'MissingIdTokenPermission' })
      expect((error as Error).message).toContain("'permissions: id-token: write'")
      expect(deps.log).toStrictEqual([])
      expect(fromWebToken).not.toHaveBeenCalled()
    })

    it('tries the first token request 4 times with jittered backoff, then says what the endpoint answered', async () => {
      const deps = fakeDeps()
      deps.random = () => 0
      deps.tokenFailure = tokenError(500)
      issueCredentials(deps)
      const { provider } = roleCredentials(SETTINGS, 'eu-west-1', deps)
      const { error } = await deps.time.outcome(provider())
      expect(error).toBeInstanceOf(AwsError)
      expect(error).toMatchObject({ operation: 'GetIDToken', code: 'IdTokenRequestFailed' })
      expect((error as Error).message).toBe(
        "Could not get a GitHub OIDC token for audience 'sts.amazonaws.com': GitHub's OIDC token endpoint answered HTTP 500 " +
          "(4 attempts in 4s). This is on GitHub's side: re-run the job later (https://www.githubstatus.com shows outages)."
      )
      expect(deps.time.slept).toStrictEqual([500, 1000, 2000])
      expect(tokenRequests(deps)).toBe(4)
      expect(fromWebToken).not.toHaveBeenCalled()
    })

    it('does not retry a token request the endpoint refused', async () => {
      const deps = fakeDeps()
      deps.tokenFailure = tokenError(403, 'Forbidden')
      issueCredentials(deps)
      const { provider } = roleCredentials(SETTINGS, 'eu-west-1', deps)
      const { error } = await deps.time.outcome(provider())
      expect((error as Error).message).toContain("GitHub's OIDC token endpoint answered HTTP 403 (1 attempt in 0s)")
      expect(tokenRequests(deps)).toBe(1)
    })

    it('carries on when a token request fails once', async () => {
      const deps = fakeDeps()
      const getIDToken = deps.getIDToken
      let calls = 0
      deps.getIDToken = async audience => {
        if (++calls === 1) throw tokenError(429, 'Too Many Requests')
        return getIDToken(audience)
      }
      issueCredentials(deps)
      const { provider } = roleCredentials(SETTINGS, 'eu-west-1', deps)
      const { value } = await deps.time.outcome(provider())
      expect(value).toMatchObject({ accessKeyId: 'ASIA1' })
      expect(deps.time.slept).toStrictEqual([1000])
    })

    it('retries a passing STS failure, but not a trust-policy one, while the credentials held are valid', async () => {
      const deps = fakeDeps()
      const sts = issueCredentials(deps, 16 * MINUTE)
      const { provider } = roleCredentials(SETTINGS, 'eu-west-1', deps)
      const first = await provider()
      sts.failure = sdkError('IDPCommunicationError', 'Could not reach the identity provider')
      await deps.time.advance(12 * MINUTE + 10 * SECOND)
      const passing = fromWebToken.mock.calls.length
      expect(passing).toBeGreaterThan(3)
      sts.failure = sdkError('AccessDenied', 'Not authorized to perform sts:AssumeRoleWithWebIdentity', 403)
      await deps.time.advance(MINUTE)
      // One refusal ends the background renewal; the held credentials are still handed out.
      expect(fromWebToken.mock.calls.length).toBe(passing + 1)
      await deps.time.advance(2 * MINUTE)
      expect(fromWebToken.mock.calls.length).toBe(passing + 1)
      await expect(provider()).resolves.toBe(first)
    })

    it("says STS's error once the held credentials expired, and does not blame id-token: write", async () => {
      const deps = fakeDeps()
      const sts = issueCredentials(deps, 16 * MINUTE)
      const { provider } = roleCredentials(SETTINGS, 'eu-west-1', deps)
      await provider()
      sts.failure = sdkError('AccessDenied', 'Not authorized to perform sts:AssumeRoleWithWebIdentity', 403)
      await deps.time.advance(16 * MINUTE)
      const { error } = await deps.time.outcome(provider())
      expect(error).toMatchObject({ operation: 'AssumeRoleWithWebIdentity', code: 'AccessDenied' })
      const message = (error as Error).message
      expect(message).toMatch(
        new RegExp(
          `^The AWS credentials of ${SETTINGS.roleArn} expired at 2026-12-02T10:16:00Z and could not be renewed ` +
            `\\(2 attempts in 4m00s\\): Could not assume ${SETTINGS.roleArn}: Not authorized to perform sts:AssumeRoleWithWebIdentity\\. ` +
            `The role's trust policy must allow`
        )
      )
      expect(message).not.toContain('id-token')
    })
  })

  describe('cancellation', () => {
    it('stops background renewal: no token request after the job is cancelled', async () => {
      const deps = fakeDeps()
      issueCredentials(deps, 16 * MINUTE)
      const { provider } = roleCredentials(SETTINGS, 'eu-west-1', deps)
      const first = await provider()
      deps.tokenFailure = tokenError(500)
      await deps.time.advance(12 * MINUTE + 5 * SECOND)
      const tried = tokenRequests(deps)
      expect(tried).toBeGreaterThan(1)
      deps.cancel.abort()
      await settle()
      expect(deps.time.pending).toBe(0)
      await deps.time.advance(3 * MINUTE)
      expect(tokenRequests(deps)).toBe(tried)
      // The held credentials still serve whatever the cancelled job does to clean up.
      await expect(provider()).resolves.toBe(first)
    })

    it('does not start a renewal for credentials obtained after the job was cancelled', async () => {
      const deps = fakeDeps()
      issueCredentials(deps, 16 * MINUTE)
      deps.cancel.abort()
      const { provider } = roleCredentials(SETTINGS, 'eu-west-1', deps)
      await provider()
      expect(deps.time.pending).toBe(0)
    })

    it('stops a held-up request retrying: it fails with the last error at once', async () => {
      const deps = fakeDeps()
      deps.tokenFailure = tokenError(500)
      issueCredentials(deps)
      const { provider } = roleCredentials(SETTINGS, 'eu-west-1', deps)
      const request = provider()
      await settle()
      expect(deps.time.slept).toStrictEqual([1000])
      deps.cancel.abort()
      const { error, at } = await deps.time.outcome(request)
      expect((error as Error).message).toContain('answered HTTP 500 (1 attempt')
      expect(at).toBe(T0)
      expect(tokenRequests(deps)).toBe(1)
    })
  })
})

describe('describeTokenFailure', () => {
  it.each([
    ['an HTTP status', tokenError(500), "GitHub's OIDC token endpoint answered HTTP 500"],
    ['a dropped connection', tokenError(undefined, 'socket hang up'), "the request to GitHub's OIDC token endpoint failed: socket hang up"],
    [
      'an answer without a token',
      new Error('Error message: Response json body do not have ID Token field'),
      "the request to GitHub's OIDC token endpoint failed: Response json body do not have ID Token field"
    ]
  ])('names %s', (_, error, clause) => {
    expect(describeTokenFailure(error)).toBe(clause)
  })
})

describe('explainAssumeRoleError', () => {
  const token = jwt({ sub: SUB, aud: 'sts.amazonaws.com', iss: 'https://token.actions.githubusercontent.com' })
  const trust =
    `The role's trust policy must allow sts:AssumeRoleWithWebIdentity for the federated principal ` +
    `token.actions.githubusercontent.com with "token.actions.githubusercontent.com:aud" = "sts.amazonaws.com" and ` +
    `"token.actions.githubusercontent.com:sub" matching "${SUB}" (README: IAM trust policy).`

  it.each([
    [
      'AccessDenied',
      'Not authorized to perform sts:AssumeRoleWithWebIdentity',
      `Could not assume ${SETTINGS.roleArn}: Not authorized to perform sts:AssumeRoleWithWebIdentity. ${trust}`
    ],
    [
      'InvalidIdentityToken',
      'No OpenIDConnect provider found in your account for https://token.actions.githubusercontent.com',
      `AWS rejected GitHub's OIDC token for ${SETTINGS.roleArn}: No OpenIDConnect provider found in your account for ` +
        'https://token.actions.githubusercontent.com. Check that the account has the IAM OIDC identity provider ' +
        `token.actions.githubusercontent.com with audience "sts.amazonaws.com" (input 'audience'). ${trust}`
    ],
    [
      'ExpiredTokenException',
      'Token expired: current date/time 1795854942 must be before the expiration date/time 1795854900',
      "GitHub's OIDC token expired before AWS accepted it (Token expired: current date/time 1795854942 must be before " +
        "the expiration date/time 1795854900). Re-run the job; if it keeps happening, check the runner's clock."
    ],
    [
      'ValidationError',
      'The requested DurationSeconds exceeds the MaxSessionDuration set for this role',
      `Could not assume ${SETTINGS.roleArn} for 3600 seconds: The requested DurationSeconds exceeds the MaxSessionDuration ` +
        "set for this role. Lower 'role-duration-seconds' or raise the role's maximum session duration."
    ],
    [
      'IDPCommunicationError',
      'Could not reach the identity provider',
      `Could not assume ${SETTINGS.roleArn} with GitHub's OIDC token: IDPCommunicationError: Could not reach the identity provider.`
    ]
  ])('explains %s', (code, message, sentence) => {
    const cause = sdkError(code, message)
    const error = explainAssumeRoleError(cause, SETTINGS, token)
    expect(error).toBeInstanceOf(AwsError)
    expect([error.operation, error.code, error.message, error.cause]).toStrictEqual([
      'AssumeRoleWithWebIdentity',
      code,
      sentence,
      cause
    ])
    expect(error.message).not.toContain(token)
    expect(error.message).not.toContain(token.split('.')[1])
  })

  it('falls back to the configured audience and an unknown sub when the token cannot be read', () => {
    const error = explainAssumeRoleError(sdkError('AccessDenied', 'denied'), SETTINGS, 'not-a-jwt')
    expect(error.message).toContain('"token.actions.githubusercontent.com:aud" = "sts.amazonaws.com"')
    expect(error.message).toContain('"token.actions.githubusercontent.com:sub" matching "unknown"')
    expect(error.message).not.toContain('not-a-jwt')
  })
})

describe('tokenClaims', () => {
  it.each([
    ['sub and aud', jwt({ sub: SUB, aud: 'sts.amazonaws.com' }), { sub: SUB, aud: 'sts.amazonaws.com' }],
    ['a list of audiences', jwt({ sub: SUB, aud: ['a', 'b'] }), { sub: SUB, aud: 'a, b' }],
    ['claims of the wrong type', jwt({ sub: 42, aud: { x: 1 } }), { sub: undefined, aud: undefined }],
    ['no claims', jwt({}), { sub: undefined, aud: undefined }]
  ])('reads %s', (_, token, claims) => {
    expect(tokenClaims(token)).toStrictEqual(claims)
  })

  it.each([
    ['no dots', 'not-a-jwt'],
    ['a payload that is not JSON', `x.${Buffer.from('{oops').toString('base64url')}.y`],
    ['a null payload', `x.${Buffer.from('null').toString('base64url')}.y`],
    ['an empty string', '']
  ])('reads nothing from %s', (_, token) => {
    expect(tokenClaims(token)).toStrictEqual({})
  })
})
