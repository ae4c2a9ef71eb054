import type { PermissionRule } from './types.js'

/**
 * Everything is allowed except what `deny` refuses, and except actions that a role seldom has and that
 * must be granted with `allow` (DecodeAuthorizationMessage: the action should cope with being refused it).
 * A deny beats an allow, as in IAM.
 */
const NEEDS_GRANT = new Set(['sts:DecodeAuthorizationMessage'])

export class Permissions {
  private readonly denials: PermissionRule[] = []
  private readonly grants: PermissionRule[] = []

  deny(rule: PermissionRule): void {
    this.denials.push(rule)
  }

  allow(rule: PermissionRule): void {
    this.grants.push(rule)
  }

  /** `region`: where the call is made; a rule with a region holds only there. */
  isAllowed(action: string, principal: string, region?: string): boolean {
    const matches = (rule: PermissionRule): boolean =>
      rule.action === action &&
      (rule.principal === undefined || principal.startsWith(rule.principal)) &&
      (rule.region === undefined || rule.region === region)
    if (this.denials.some(matches)) return false
    return !NEEDS_GRANT.has(action) || this.grants.some(matches)
  }
}
