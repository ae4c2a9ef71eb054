/**
 * Thin typed Parameter Store calls for one region, loaded only when `ssm-parameter` is set. Like `ec2/`, each call
 * turns AWS errors into sentences where it is made, and renews expired role credentials once before giving up.
 */
import { DeleteParameterCommand, GetParameterCommand, PutParameterCommand, type SSMClient } from '@aws-sdk/client-ssm'
import { AwsError, awsErrorCode, describeClause, isThrottling } from './errors.js'
import { sendRenewing } from './renewing-call.js'

/** A parameter as GetParameter shows it. */
export interface StoredParameter {
  readonly value: string
  readonly version: number
  readonly type: 'String' | 'StringList' | 'SecureString'
  readonly dataType: string
}

export interface Ssm {
  readonly region: string
  /** GetParameter; undefined when there is no such parameter. */
  getParameter(name: string): Promise<StoredParameter | undefined>
  /** PutParameter with Overwrite; returns the version Parameter Store gave the write. */
  putParameter(name: string, value: string, kind: Pick<StoredParameter, 'type' | 'dataType'>): Promise<number>
  /** DeleteParameter; false when it was already gone. */
  deleteParameter(name: string): Promise<boolean>
}

export interface SsmOptions {
  readonly region: string
  readonly principal: string
  readonly accountId?: string
  readonly client: SSMClient
  /** As in `Ec2Options`: renews the credentials held since then, and the call is made once more. */
  readonly renewCredentials?: (since: number) => void
  /** Pauses while Parameter Store still validates the parameter's last value (TooManyUpdates). */
  readonly sleep: (ms: number) => Promise<void>
}

/** Parameter Store refuses a write while it validates the last one; it takes seconds. */
const BUSY_PAUSES_MS = [1_000, 2_000, 4_000, 8_000]

export function ssm(options: SsmOptions): Ssm {
  const { region, client } = options

  async function call<T>(operation: string, name: string, send: () => Promise<T>): Promise<T> {
    for (const pause of BUSY_PAUSES_MS) {
      try {
        return await sendRenewing(send, options.renewCredentials, error => error as Error)
      } catch (error) {
        if (awsErrorCode(error) !== 'TooManyUpdates') throw explainSsmError(operation, error, name, options)
        await options.sleep(pause)
      }
    }
    return sendRenewing(send, options.renewCredentials, error => explainSsmError(operation, error, name, options))
  }

  return {
    region,

    async getParameter(name) {
      const output = await call('GetParameter', name, () =>
        client.send(new GetParameterCommand({ Name: name })).catch(error => (awsErrorCode(error) === 'ParameterNotFound' ? {} : Promise.reject(error)))
      )
      const parameter = 'Parameter' in output ? output.Parameter : undefined
      if (!parameter) return undefined
      return {
        value: parameter.Value ?? '',
        version: parameter.Version ?? 0,
        type: (parameter.Type ?? 'String') as StoredParameter['type'],
        dataType: parameter.DataType ?? 'text'
      }
    },

    async putParameter(name, value, { type, dataType }) {
      const output = await call('PutParameter', name, () =>
        client.send(new PutParameterCommand({ Name: name, Value: value, Type: type, DataType: dataType, Overwrite: true }))
      )
      return output.Version ?? 0
    },

    async deleteParameter(name) {
      return call('DeleteParameter', name, () =>
        client.send(new DeleteParameterCommand({ Name: name })).then(
          () => true,
          error => (awsErrorCode(error) === 'ParameterNotFound' ? false : Promise.reject(error))
        )
      )
    }
  }
}

/** A Parameter Store error as a sentence naming the parameter, the region and what to do. */
function explainSsmError(operation: string, error: unknown, name: string, { region, principal, accountId }: SsmOptions): AwsError {
  if (error instanceof AwsError) return error
  const code = awsErrorCode(error)
  const detail = describeClause(error)
  const arn = `arn:aws:ssm:${region}:${accountId ?? '<account>'}:parameter${name.startsWith('/') ? name : `/${name}`}`
  const sentence = ((): string => {
    switch (code) {
      case 'AccessDeniedException':
        return (
          `${principal} is not allowed to call ssm:${operation} on ${arn}. ` +
          `Add "ssm:${operation}" on that parameter to the role's permission policy (README: IAM permissions).`
        )
      case 'ValidationException':
      case 'HierarchyTypeMismatchException':
      case 'ParameterPatternMismatchException':
        return `Parameter Store refused ${operation} of '${name}' in ${region}: ${detail}. Check the 'ssm-parameter' input, and that the parameter is a String of data type aws:ec2:image.`
      case 'TooManyUpdates':
        return `Parameter Store kept refusing ${operation} of '${name}' in ${region} while it validated an earlier value (${detail}). Re-run the job in a minute.`
      case 'RequestExpired':
      case 'ExpiredToken':
      case 'ExpiredTokenException':
        return `The AWS credentials of ${principal} expired during ssm:${operation} and could not be renewed: ${detail}.`
      default:
        if (isThrottling(error)) return `Parameter Store kept throttling ssm:${operation} in ${region} (${code}) after several retries. Re-run the job later.`
        return `ssm:${operation} of '${name}' failed in ${region}: ${code}: ${detail}.`
    }
  })()
  return new AwsError(operation, code, sentence, error)
}
