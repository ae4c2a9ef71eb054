import type { FaultKind, FaultRule, SimService } from './types.js'

interface ArmedFault {
  service?: SimService
  action: string
  kind: FaultKind
  times: number
  skip: number
}

/**
 * Queued faults, checked in the order queued. A matching rule first lets `skip` requests through, then
 * hits `times` requests; the first rule that hits a request ends the search, so later rules do not count it.
 */
export class FaultQueue {
  private readonly rules: ArmedFault[] = []

  add(rule: FaultRule): void {
    this.rules.push({ service: rule.service, action: rule.action, kind: rule.kind, times: rule.times ?? 1, skip: rule.skip ?? 0 })
  }

  take(service: SimService, action: string): FaultKind | undefined {
    for (const rule of this.rules) {
      if (rule.times <= 0) continue
      if (rule.service !== undefined && rule.service !== service) continue
      if (rule.action !== '*' && rule.action !== action) continue
      if (rule.skip > 0) {
        rule.skip--
        continue
      }
      rule.times--
      return rule.kind
    }
    return undefined
  }
}

export function faultName(kind: FaultKind): string {
  return typeof kind === 'string' ? kind : 'custom'
}
