import type { FaultKind, FaultRule, SimService } from './types.js'

interface ArmedFault {
  service?: SimService
  action: string
  kind: FaultKind
  times: number
  skip: number
  forMs?: number
  /** Sim time before which the rule hits nothing. */
  startMs?: number
  /** With forMs: when the outage began (sim time): `startMs` if given, else the first request it hit. */
  since?: number
}

/**
 * Queued faults, checked in the order queued. A matching rule first lets `skip` requests through, then
 * hits `times` requests, or with `forMs` every request for that long from the first it hits (an outage, a
 * throttling storm); the first rule that hits a request ends the search, so later rules do not count it.
 * With `startMs` a rule sleeps until that sim time, and an outage runs from then, requests or not.
 */
export class FaultQueue {
  private readonly rules: ArmedFault[] = []

  /** `now`: sim time, in ms since the sim started (the clock of `SimCall.at`). */
  constructor(private readonly now: () => number) {}

  add(rule: FaultRule): void {
    if (rule.forMs !== undefined && !(rule.forMs > 0)) throw new Error(`fault: forMs must be above 0, got ${rule.forMs}`)
    if (rule.startMs !== undefined && !(rule.startMs >= 0)) throw new Error(`fault: startMs must be a sim time of 0 or more, got ${rule.startMs}`)
    this.rules.push({
      service: rule.service,
      action: rule.action,
      kind: rule.kind,
      times: rule.times ?? 1,
      skip: rule.skip ?? 0,
      forMs: rule.forMs,
      startMs: rule.startMs,
      since: rule.forMs === undefined ? undefined : rule.startMs
    })
  }

  take(service: SimService, action: string): FaultKind | undefined {
    const now = this.now()
    for (const rule of this.rules) {
      if (rule.startMs !== undefined && now < rule.startMs) continue
      if (rule.forMs === undefined ? rule.times <= 0 : rule.since !== undefined && now - rule.since >= rule.forMs) continue
      if (rule.service !== undefined && rule.service !== service) continue
      if (rule.action !== '*' && rule.action !== action) continue
      if (rule.skip > 0) {
        rule.skip--
        continue
      }
      rule.times--
      rule.since ??= now
      return rule.kind
    }
    return undefined
  }
}

export function faultName(kind: FaultKind): string {
  return typeof kind === 'string' ? kind : 'custom'
}
