import { keyId, secretAccessKey, sessionToken } from './ids.js'
import type { SimKeys } from './types.js'

/** Someone who can sign requests: the static IAM user or an STS session. */
export interface Identity {
  accessKeyId: string
  secretAccessKey: string
  arn: string
  /** What GetCallerIdentity calls UserId: AIDA… for a user, AROA…:session for a role session. */
  userId: string
  sessionToken?: string
  /** epoch ms after which the session credentials stop working */
  expiresAt?: number
}

export interface SessionRequest {
  roleArn: string
  sessionName: string
  lifetimeMs: number
  now: number
}

/**
 * Every access key the sim knows, and every secret it ever handed out (the end-to-end tests search all
 * output for them, so nothing issued may be missing from `secrets`).
 */
export class Identities {
  private readonly byKey = new Map<string, Identity>()
  private readonly roleIds = new Map<string, string>()
  private readonly issued: string[] = []

  constructor(
    private readonly accountId: string,
    staticKeys: SimKeys
  ) {
    this.add({ ...staticKeys, userId: keyId('AIDA', 17) })
    this.remember(staticKeys.secretAccessKey)
  }

  lookup(accessKeyId: string): Identity | undefined {
    return this.byKey.get(accessKeyId)
  }

  issueSession({ roleArn, sessionName, lifetimeMs, now }: SessionRequest): Identity {
    const roleName = roleArn.split('/').pop() ?? roleArn
    const roleId = this.roleIds.get(roleArn) ?? keyId('AROA', 17)
    this.roleIds.set(roleArn, roleId)
    const session: Identity = {
      accessKeyId: keyId('ASIA'),
      secretAccessKey: secretAccessKey(),
      sessionToken: sessionToken(),
      arn: `arn:aws:sts::${this.accountId}:assumed-role/${roleName}/${sessionName}`,
      userId: `${roleId}:${sessionName}`,
      expiresAt: now + lifetimeMs
    }
    this.add(session)
    this.remember(session.secretAccessKey, session.sessionToken as string)
    return session
  }

  remember(...secrets: string[]): void {
    this.issued.push(...secrets)
  }

  secrets(): string[] {
    return [...this.issued]
  }

  private add(identity: Identity): void {
    this.byKey.set(identity.accessKeyId, identity)
  }
}
