import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto'

// EC2 appends an opaque "Encoded authorization failure message" to UnauthorizedOperation, which only
// STS DecodeAuthorizationMessage can open. Encrypting the document with a key only this sim holds gives
// the same property: long, opaque, and decodable only by the sim that issued it.

export interface DeniedRequest {
  principal: { id: string; arn: string }
  action: string
  resource?: string
  region: string
}

export class AuthorizationMessages {
  private readonly key = randomBytes(32)

  encode(denied: DeniedRequest): string {
    const document = JSON.stringify({
      allowed: false,
      explicitDeny: false,
      matchedStatements: { items: [] },
      failures: { items: [] },
      context: {
        principal: denied.principal,
        action: denied.action,
        resource: denied.resource ?? '*',
        conditions: { items: [{ key: 'aws:Region', values: { items: [{ value: denied.region }] } }] }
      }
    })
    const iv = randomBytes(12)
    const cipher = createCipheriv('aes-256-gcm', this.key, iv)
    const sealed = Buffer.concat([cipher.update(document, 'utf8'), cipher.final()])
    return Buffer.concat([iv, cipher.getAuthTag(), sealed]).toString('base64url')
  }

  /** The JSON document, or undefined when the blob was not issued by this sim. */
  decode(blob: string): string | undefined {
    const raw = Buffer.from(blob, 'base64url')
    if (raw.length < 29) return undefined
    try {
      const decipher = createDecipheriv('aes-256-gcm', this.key, raw.subarray(0, 12))
      decipher.setAuthTag(raw.subarray(12, 28))
      return Buffer.concat([decipher.update(raw.subarray(28)), decipher.final()]).toString('utf8')
    } catch {
      return undefined
    }
  }
}

/** AWS's wording for an implicit deny, which the action is expected to explain to its user. */
export function unauthorizedMessage(principalArn: string, action: string, resource: string | undefined, blob: string): string {
  const on = resource ? ` on resource: ${resource}` : ''
  return (
    `You are not authorized to perform this operation. User: ${principalArn} is not authorized to perform: ` +
    `${action}${on} because no identity-based policy allows the ${action} action. ` +
    `Encoded authorization failure message: ${blob}`
  )
}
