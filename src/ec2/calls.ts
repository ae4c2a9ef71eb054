/**
 * The call wrapper: each EC2 call renews expired role credentials once before giving up, and turns AWS errors into
 * sentences where it is made, with the reason for a denial when STS may decode it.
 */
import { AwsError, awsErrorCode, explainEc2Error, type CallContext } from '../errors.js'
import { sendRenewing } from '../renewing-call.js'
import type { Ec2Options } from './types.js'

/** One EC2 call, named for error messages, with what it is about (`where`). */
export type Call = <T>(operation: string, where: Partial<CallContext>, send: () => Promise<T>) => Promise<T>

/** The call wrapper for one region and principal. */
export function caller(options: Pick<Ec2Options, 'region' | 'principal' | 'renewCredentials' | 'decodeAuthorization'>): Call {
  const { region, principal } = options

  const call: Call = (operation, where, send) => sendRenewing(send, options.renewCredentials, error => explain(operation, error, where))

  async function explain(operation: string, error: unknown, where: Partial<CallContext>) {
    // Already explained: a credentials failure (OIDC, AssumeRole) surfaces inside the EC2 call.
    if (error instanceof AwsError) return error
    const denial = awsErrorCode(error) === 'UnauthorizedOperation' ? await whyDenied(error) : undefined
    return explainEc2Error(operation, error, { region, principal, ...where, denial })
  }

  /** EC2 encodes the reason for a denial; STS may decode it, if the principal is allowed to ask. */
  async function whyDenied(error: unknown): Promise<string | undefined> {
    const encoded = /Encoded authorization failure message: (\S+)/.exec((error as Error).message)?.[1]
    if (!encoded) return undefined
    const decoded = await options.decodeAuthorization?.(encoded).catch(() => undefined)
    return decoded
      ? describeDenial(decoded)
      : `To see why, decode the message with a principal allowed sts:DecodeAuthorizationMessage: aws sts decode-authorization-message --encoded-message ${encoded}`
  }

  return call
}

/** A DryRun call: resolves when it would be allowed, throws the translated refusal otherwise. */
export async function dryRun(call: Call, operation: string, where: Partial<CallContext>, send: () => Promise<unknown>): Promise<void> {
  await call(operation, where, () =>
    send().then(
      () => undefined,
      // EC2's way of saying "this would have succeeded".
      error => (awsErrorCode(error) === 'DryRunOperation' ? undefined : Promise.reject(error))
    )
  )
}

/** The decoded authorization message (JSON) as a clause: what was denied, on what, and by which rule. */
export function describeDenial(decoded: string): string {
  try {
    const message = JSON.parse(decoded) as {
      explicitDeny?: boolean
      matchedStatements?: { items?: { statementId?: string }[] }
      context?: { action?: string; resource?: string }
    }
    const { action = 'the action', resource = 'the resource' } = message.context ?? {}
    const statements = (message.matchedStatements?.items ?? []).flatMap(item => (item.statementId ? [item.statementId] : []))
    return message.explicitDeny
      ? `AWS says an explicit Deny${statements.length ? ` (statement ${statements.join(', ')})` : ''} blocks ${action} on ${resource}: an Allow cannot override it; change or remove that Deny (an SCP or permissions boundary may hold it).`
      : `AWS says no policy allows ${action} on ${resource}.`
  } catch {
    return `AWS's decoded reason: ${decoded}`
  }
}
