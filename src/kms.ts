/**
 * Thin typed KMS calls for one region, loaded only when `encrypt` is on. Like `ec2/`, each call turns AWS errors
 * into sentences where it is made, and renews expired role credentials once before giving up.
 */
import { DescribeKeyCommand, ListAliasesCommand, type KMSClient } from '@aws-sdk/client-kms'
import { AwsError, awsErrorCode, describeClause, isThrottling } from './errors.js'
import { sendRenewing } from './renewing-call.js'

/** What the checks before a bake need to know of a key. */
export interface KeyFacts {
  /** The key's ARN: what EBS writes in a snapshot's KmsKeyId, whatever name the key was asked by. */
  readonly arn: string
  /** 'AWS' for an AWS managed key (aws/ebs), 'CUSTOMER' for one the account manages. */
  readonly manager: string
  /** 'Enabled', 'Disabled', 'PendingDeletion', … */
  readonly state: string
  /** 'SYMMETRIC_DEFAULT', 'RSA_2048', … */
  readonly spec: string
  /** 'ENCRYPT_DECRYPT', 'SIGN_VERIFY', … */
  readonly usage: string
}

export interface Kms {
  readonly region: string
  /** DescribeKey by id, key ARN, alias name or alias ARN; throws the translated error (NotFound, denied). */
  describeKey(keyId: string): Promise<KeyFacts>
  /** ListAliases of one key: its alias names, for people to read; none when there are none. */
  aliasesOf(keyId: string): Promise<string[]>
}

export interface KmsOptions {
  readonly region: string
  readonly principal: string
  readonly client: KMSClient
  /** As in `Ec2Options`: renews the credentials held since then, and the call is made once more. */
  readonly renewCredentials?: (since: number) => void
}

export function kms(options: KmsOptions): Kms {
  const { region, client } = options

  const call = <T>(operation: string, keyId: string, send: () => Promise<T>): Promise<T> =>
    sendRenewing(send, options.renewCredentials, error => explainKmsError(operation, error, keyId, options))

  return {
    region,

    async describeKey(keyId) {
      const output = await call('DescribeKey', keyId, () => client.send(new DescribeKeyCommand({ KeyId: keyId })))
      const key = output.KeyMetadata
      if (!key?.Arn) throw new Error(`kms:DescribeKey in ${region} answered without the key's ARN for '${keyId}'`)
      return {
        arn: key.Arn,
        manager: key.KeyManager ?? 'CUSTOMER',
        state: key.KeyState ?? (key.Enabled ? 'Enabled' : 'Disabled'),
        spec: key.KeySpec ?? key.CustomerMasterKeySpec ?? 'SYMMETRIC_DEFAULT',
        usage: key.KeyUsage ?? 'ENCRYPT_DECRYPT'
      }
    },

    async aliasesOf(keyId) {
      const names: string[] = []
      let Marker: string | undefined
      do {
        const output = await call('ListAliases', keyId, () => client.send(new ListAliasesCommand({ KeyId: keyId, Marker })))
        names.push(...(output.Aliases ?? []).flatMap(alias => (alias.AliasName ? [alias.AliasName] : [])))
        Marker = output.Truncated ? output.NextMarker : undefined
      } while (Marker)
      return names
    }
  }
}

/** Turns an error from a KMS call into one sentence that says what to do. */
function explainKmsError(operation: string, error: unknown, keyId: string, { region, principal }: KmsOptions): AwsError {
  if (error instanceof AwsError) return error
  const code = awsErrorCode(error)
  const detail = describeClause(error)
  const sentence = ((): string => {
    switch (code) {
      case 'NotFoundException':
        return (
          `The KMS key '${keyId}' does not exist in ${region} (${detail}). A key belongs to one region: ` +
          `name a key or alias of ${region} ('kms-key-id' for the bake region, 'copy-kms-key-ids' for a copy region).`
        )
      case 'AccessDeniedException':
        return (
          `${principal} may not call kms:${operation} on the key '${keyId}' in ${region} (${detail}). ` +
          `Allow "kms:${operation}" on that key, in the role's permission policy and in the key's policy (README: Encrypted releases).`
        )
      case 'InvalidArnException':
        return `KMS rejected the key '${keyId}' in ${region}: ${detail}. A key ARN must name the region it is used in.`
      default:
        if (isThrottling(error)) {
          return `KMS kept throttling kms:${operation} in ${region} (${code}) after several retries: the account is making too many API calls. Re-run the job later.`
        }
        return `kms:${operation} on '${keyId}' failed in ${region}: ${code}: ${detail}.`
    }
  })()
  return new AwsError(operation, code, sentence, error)
}
