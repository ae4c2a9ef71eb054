/**
 * Retention, once the release is good. In each region, the rules in order:
 * 1. Only images tagged with the family, exactly; a pending one (another run may be baking it) is neither counted
 *    nor touched.
 * 2. The newest `keepLatest` by creation date stay, and the run's own images (made, copied or reused) stay on top of
 *    them: a rollback re-run that reuses an old release never retires a newer one.
 * 3. Of the rest, an image stays if it is protected from deregistration, if it was launched within
 *    `keepLaunchedWithinMs`, or if anything refers to it (DescribeImageReferences: instances, launch templates, SSM
 *    parameters, Image Builder recipes). If EC2 cannot say what refers to them, nothing is removed in that region.
 * 4. The others are deregistered, and the snapshots EC2 made for them (`ownership.ts`) that no staying image uses
 *    are deleted.
 * Nothing here fails the step: each problem is a warning that names what was left.
 */
import type { Aws } from '../aws.js'
import { deleteSnapshot } from '../cleanup.js'
import type { Clock } from '../clock.js'
import { FAMILY_TAG_KEY } from '../constants.js'
import type { Ec2, OwnedImage } from '../ec2/index.js'
import { describeClause } from '../errors.js'
import { madeFor } from '../ownership.js'

export interface Retention {
  readonly family: string
  /** How many of the family's newest images to keep in each region; the run's own stay on top of them. */
  readonly keepLatest: number
  /** Keep an image launched this recently (EC2 reports a launch about 24 h late). */
  readonly keepLaunchedWithinMs?: number
  /** Only say what would be removed. */
  readonly dryRun: boolean
}

export interface RetiredImage {
  readonly region: string
  readonly imageId: string
  readonly name: string
  readonly creationDate: string
  /** The snapshots deleted with it (or that would be, in a dry run). */
  readonly snapshotIds: readonly string[]
}

export interface KeptImage {
  readonly region: string
  readonly imageId: string
  readonly name: string
  /** Why it stays: one of the newest, the run's own, protected, launched lately, or what refers to it. */
  readonly reason: string
  /** The ARNs that refer to it, when that is why it stays. */
  readonly references: readonly string[]
}

export interface RetirementReport {
  readonly removed: readonly RetiredImage[]
  readonly kept: readonly KeptImage[]
  /** One sentence per thing left that retention meant to remove, for a warning. */
  readonly problems: readonly string[]
}

export interface RetireOptions {
  readonly clock: Clock
  readonly log: (line: string) => void
  /** The job's cancellation: no image is deregistered once it is aborted. */
  readonly signal?: AbortSignal
}

/** What EC2 needs to answer DescribeImageReferences for every kind of reference, as AWS documents it. */
export const IMAGE_REFERENCES_PERMISSIONS =
  'ec2:DescribeImageReferences, and for EC2 to look on your behalf: ec2:DescribeInstances, ec2:DescribeLaunchTemplates, ' +
  'ec2:DescribeLaunchTemplateVersions, ssm:DescribeParameters, ssm:GetParameters, imagebuilder:ListImageRecipes, ' +
  'imagebuilder:ListContainerRecipes and imagebuilder:GetContainerRecipe (the AWS managed policy AmazonEC2ImageReferencesAccessPolicy grants them)'

/** Retention in each region, at once. `ours`: the run's images (made, copied or reused), never touched. */
export async function retire(aws: Aws, regions: readonly string[], ours: ReadonlySet<string>, retention: Retention, options: RetireOptions): Promise<RetirementReport> {
  const reports = await Promise.all(
    regions.map(region =>
      retireIn(aws.ec2(region), ours, retention, options).catch(
        (error: unknown): RetirementReport => ({
          removed: [],
          kept: [],
          // Only the look-ups can throw, and they come before any removal.
          problems: [`In ${region}, retention removed nothing: ${describeClause(error)}.`]
        })
      )
    )
  )
  return {
    removed: reports.flatMap(report => report.removed),
    kept: reports.flatMap(report => report.kept),
    problems: reports.flatMap(report => report.problems)
  }
}

async function retireIn(ec2: Ec2, ours: ReadonlySet<string>, retention: Retention, { clock, log, signal }: RetireOptions): Promise<RetirementReport> {
  const { region } = ec2
  const { family, keepLatest, keepLaunchedWithinMs, dryRun } = retention
  const members = (await ec2.findImagesTagged(FAMILY_TAG_KEY, family))
    .filter(image => image.state !== 'pending')
    .sort((a, b) => b.creationDate.localeCompare(a.creationDate))
  const kept: KeptImage[] = []
  const keep = (image: OwnedImage, reason: string, references: readonly string[] = []) => {
    kept.push({ region, imageId: image.imageId, name: image.name, reason, references })
    log(`Retention keeps ${image.imageId} (${image.name}) in ${region}: ${reason}`)
  }
  // In a dry run the new image does not exist yet: it is one of the newest N all the same.
  const newest = dryRun ? keepLatest - 1 : keepLatest
  let candidates: OwnedImage[] = []
  for (const [index, image] of members.entries()) {
    if (ours.has(image.imageId)) keep(image, 'this run made or reused it')
    else if (index < newest) keep(image, `one of the newest ${keepLatest}`)
    else if (image.deregistrationProtection !== 'disabled') keep(image, `it is protected from deregistration (${image.deregistrationProtection})`)
    else if (launchedWithin(image, keepLaunchedWithinMs, clock.now())) keep(image, `it was launched at ${image.lastLaunchedTime}`)
    else candidates.push(image)
  }
  if (candidates.length === 0) return { removed: [], kept, problems: [] }

  let references: Map<string, string[]>
  try {
    references = await ec2.imageReferences(candidates.map(image => image.imageId))
  } catch (error) {
    const problem =
      `In ${region}, retention removed nothing: it could not ask EC2 what refers to the ${candidates.length} older image(s) ` +
      `(${describeClause(error)}), and will not remove an image that may still be launched. It needs ${IMAGE_REFERENCES_PERMISSIONS}.`
    return { removed: [], kept, problems: [problem] }
  }
  candidates = candidates.filter(image => {
    const arns = references.get(image.imageId) ?? []
    if (arns.length > 0) keep(image, `${arns.join(', ')} ${arns.length === 1 ? 'refers' : 'refer'} to it`, arns)
    return arns.length === 0
  })
  const deletable = await deletableSnapshots(ec2, candidates)

  const removed: RetiredImage[] = []
  const problems: string[] = []
  for (const image of candidates) {
    const snapshotIds = image.snapshotIds.filter(id => deletable.get(id) === image.imageId)
    const what = `${image.imageId} (${image.name}, created ${image.creationDate}) in ${region}`
    if (dryRun) {
      log(`Dry run: retention would deregister ${what}${snapshotIds.length ? ` and delete ${snapshotIds.join(', ')}` : ''}`)
      removed.push({ region, imageId: image.imageId, name: image.name, creationDate: image.creationDate, snapshotIds })
      continue
    }
    if (signal?.aborted) {
      problems.push(`The job was cancelled: retention left ${what} and the older images after it.`)
      break
    }
    try {
      await ec2.deregisterImage(image.imageId)
    } catch (error) {
      problems.push(`Could not deregister ${what}: ${describeClause(error)}.`)
      continue
    }
    const deleted: string[] = []
    for (const id of snapshotIds) {
      const outcome = await deleteSnapshot(ec2, id, clock)
      if (outcome === true) deleted.push(id)
      else problems.push(`Could not delete snapshot ${id} of ${image.imageId} in ${region}: ${outcome.replace(/\.+$/, '')}.`)
    }
    log(`Retention deregistered ${what}${deleted.length ? ` and deleted ${deleted.join(', ')}` : ''}`)
    removed.push({ region, imageId: image.imageId, name: image.name, creationDate: image.creationDate, snapshotIds: deleted })
  }
  return { removed, kept, problems }
}

function launchedWithin(image: OwnedImage, withinMs: number | undefined, now: number): boolean {
  if (withinMs === undefined || !image.lastLaunchedTime) return false
  return now - Date.parse(image.lastLaunchedTime) <= withinMs
}

/**
 * The snapshots of the retiring images that retention may delete, each with the image it goes with: EC2 made it for
 * that image (`ownership.ts`; a snapshot a user registered or mapped is left alone), and no image that stays uses it.
 */
async function deletableSnapshots(ec2: Ec2, retiring: readonly OwnedImage[]): Promise<Map<string, string>> {
  const candidates = [...new Set(retiring.flatMap(image => image.snapshotIds))]
  if (candidates.length === 0) return new Map()
  const owner = new Map(retiring.flatMap(image => image.snapshotIds.map(id => [id, image.imageId] as const)))
  const made = (await ec2.describeOwnSnapshots(candidates)).filter(snapshot => madeFor(snapshot.description, owner.get(snapshot.snapshotId) ?? ''))
  const leaving = new Set(retiring.map(image => image.imageId))
  const staying = (await ec2.findImagesUsing(made.map(snapshot => snapshot.snapshotId))).filter(image => !leaving.has(image.imageId))
  const used = new Set(staying.flatMap(image => image.snapshotIds))
  return new Map(made.filter(snapshot => !used.has(snapshot.snapshotId)).map(snapshot => [snapshot.snapshotId, owner.get(snapshot.snapshotId)!]))
}
