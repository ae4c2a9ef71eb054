/**
 * Making an image (CreateImage, RegisterImage) so that a lost answer does not fail the run or make a second image:
 * every attempt is recorded, and a duplicate name that one of our own attempts may have made is adopted.
 */
import { DescribeImagesCommand, type CreateImageCommand, type EC2Client, type Image, type RegisterImageCommand } from '@aws-sdk/client-ec2'
import { AttemptLog } from '../attempts.js'
import { AwsError, type CallContext } from '../errors.js'
import type { Call } from './calls.js'

/** What making an image needs from the adapter: its call wrapper, client and region, and how to pause. */
export interface ImageMaker {
  readonly call: Call
  readonly client: EC2Client
  readonly region: string
  readonly sleep: (ms: number) => Promise<void>
}

/**
 * Sends the call that makes an image (CreateImage, RegisterImage), recording every attempt: the SDK's
 * retries, and a send again after renewed credentials. The SDK retries a call whose answer was lost; if
 * the lost attempt had worked, the retry meets our own image as a duplicate: find it rather than fail or
 * make a second. When every earlier attempt was refused (throttled, say), the image is not ours: report it.
 */
export async function makeImage(
  { call, client, region, sleep }: ImageMaker,
  operation: 'CreateImage' | 'RegisterImage',
  where: Partial<CallContext> & { readonly name: string },
  madeFromOurSource: (image: Image) => boolean,
  send: (attempts: AttemptLog) => Promise<{ ImageId?: string }>
): Promise<string> {
  const attempts = new AttemptLog()
  const output = await call(operation, where, () => send(attempts)).catch(async (error: unknown) => {
    if (!(error instanceof AwsError) || error.code !== 'InvalidAMIName.Duplicate' || !attempts.someMayHaveActed()) throw error
    const ImageId = await call('DescribeImages', where, () => findOwnImage(client, where.name, madeFromOurSource, attempts, sleep))
    if (!ImageId) throw error
    return { ImageId }
  })
  if (!output.ImageId) throw new Error(`${operation} in ${region} answered without an image id`)
  return output.ImageId
}

/**
 * Pauses between looks for the image that holds our name when EC2 does not list it yet: its describe calls
 * are eventually consistent, and the image a lost attempt made is seconds old. About 15 s in all.
 */
const LOOK_AGAIN_MS = [1_000, 2_000, 4_000, 8_000]

/**
 * The image named `name` that one of this call's own attempts may have made: from our source (`fromSource`:
 * our instance, or our snapshot as root), and created while such an attempt was in flight, on EC2's clock as
 * the SDK measured it.
 */
async function findOwnImage(
  client: EC2Client,
  name: string,
  fromSource: (image: Image) => boolean,
  attempts: AttemptLog,
  sleep: (ms: number) => Promise<void>
): Promise<string | undefined> {
  for (const pause of [0, ...LOOK_AGAIN_MS]) {
    if (pause > 0) await sleep(pause)
    const output = await client.send(new DescribeImagesCommand({ Owners: ['self'], Filters: [{ Name: 'name', Values: [name] }] }))
    const named = (output.Images ?? []).filter(image => image.Name === name)
    // AMI names are unique per account and region: once EC2 lists the image that holds ours, it is ours or not.
    if (named.length === 0) continue
    const clockOffset = client.config.systemClockOffset ?? 0
    const own = named.find(
      candidate =>
        fromSource(candidate) &&
        attempts.couldHaveMade(Date.parse(candidate.CreationDate ?? ''), clockOffset)
    )
    return own?.ImageId
  }
  return undefined
}

/**
 * Records each attempt of `command` in `log`. Placed inside the SDK's retries and signing and just outside
 * the parsing of the answer, it sees every attempt: the error EC2 answered with, or that no answer came.
 */
export function recordAttempts<C extends CreateImageCommand | RegisterImageCommand>(command: C, log: AttemptLog): C {
  // The middleware passes input and output through untouched, so one stack type serves both commands.
  const stack = command.middlewareStack as unknown as CreateImageCommand['middlewareStack']
  stack.add(next => args => log.record(() => next(args)), {
    step: 'deserialize',
    priority: 'high',
    name: 'recordAttempts'
  })
  return command
}
