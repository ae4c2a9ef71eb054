import { DEFAULT_REGION } from './regions.js'
import type { PutParameterOptions } from './types.js'

// Systems Manager Parameter Store, as far as EC2 reads it: DescribeImageReferences finds the parameters whose value
// is an image id. Kept in Parameter Store's own shape (name, type, data type, version, last modified) so that the
// SSM API (PutParameter, GetParameter, DeleteParameter over JSON 1.1) can be served from it later.

export interface ParameterRecord {
  /** As given: `/images/web` (a hierarchy, which starts with '/') or `web-ami`. */
  name: string
  region: string
  value: string
  type: 'String' | 'StringList' | 'SecureString'
  /** `aws:ec2:image` makes Parameter Store check that the value is an image id. */
  dataType: 'text' | 'aws:ec2:image'
  /** 1 for a new parameter, one more for each overwrite. */
  version: number
  /** epoch ms */
  lastModifiedAt: number
}

/** Parameter Store's naming rules: letters, digits and `_.-/`, a hierarchy starts with '/', no `aws`/`ssm` prefix. */
const NAME_PATTERN = /^[A-Za-z0-9_./-]{1,2048}$/
const IMAGE_ID = /^ami-([0-9a-f]{8}|[0-9a-f]{17})$/

/** `arn:aws:ssm:<region>:<account>:parameter/<name>`: a hierarchical name brings its own leading slash. */
export function parameterArn(region: string, accountId: string, name: string): string {
  return `arn:aws:ssm:${region}:${accountId}:parameter${name.startsWith('/') ? name : `/${name}`}`
}

export class SsmState {
  private readonly parameters = new Map<string, ParameterRecord>()

  /** Creates or overwrites a parameter (an overwrite bumps its version); returns it. */
  put(options: PutParameterOptions, now: number): ParameterRecord {
    const { name, value } = options
    const region = options.region ?? DEFAULT_REGION
    const dataType = options.dataType ?? 'text'
    if (!NAME_PATTERN.test(name) || (name.includes('/') && !name.startsWith('/')) || /^\/?(aws|ssm)/i.test(name)) {
      throw new Error(`putParameter: '${name}' is not a Parameter Store name (letters, digits, _.-/; a hierarchy starts with /; no aws or ssm prefix)`)
    }
    if (dataType === 'aws:ec2:image' && !IMAGE_ID.test(value)) {
      throw new Error(`putParameter: a parameter of data type aws:ec2:image holds an image id, got '${value}'`)
    }
    const key = `${region}\n${name}`
    const earlier = this.parameters.get(key)
    const record: ParameterRecord = {
      name,
      region,
      value,
      type: options.type ?? 'String',
      dataType,
      version: (earlier?.version ?? 0) + 1,
      lastModifiedAt: now
    }
    this.parameters.set(key, record)
    return record
  }

  get(region: string, name: string): ParameterRecord | undefined {
    return this.parameters.get(`${region}\n${name}`)
  }

  delete(region: string, name: string): boolean {
    return this.parameters.delete(`${region}\n${name}`)
  }

  /** The region's parameters, in the order they were first put. */
  list(region: string): ParameterRecord[] {
    return [...this.parameters.values()].filter((parameter) => parameter.region === region)
  }
}
