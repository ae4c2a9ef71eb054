/**
 * Retention, once the release is good: in each region, the family's images beyond the newest `keepLatest` are
 * deregistered, and their snapshots deleted. It never touches an image without the family tag, the run's own
 * images, a pending image (another run may be baking it) or an image an instance was launched from (an Auto
 * Scaling group may launch it again); it deletes only snapshots of the images it deregistered that carry the
 * family tag and that no other image uses. Nothing here fails the step: each problem is a warning that names
 * what was left.
 */
import type { Aws } from '../aws.js'
import { deleteSnapshot } from '../cleanup.js'
import type { Clock } from '../clock.js'
import { FAMILY_TAG_KEY } from '../constants.js'
import type { Ec2, OwnedImage } from '../ec2.js'
import { describeClause } from '../errors.js'

export interface Retention {
  readonly family: string
  /** How many of the family's images to keep in each region, the run's own included. */
  readonly keepLatest: number
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
  /** An instance was launched from it: kept, and worth a warning. Else it is one of the newest. */
  readonly inUse: boolean
  readonly reason: string
}

export interface RetirementReport {
  readonly removed: readonly RetiredImage[]
  readonly kept: readonly KeptImage[]
  /** One sentence per thing left that retention meant to remove, for a warning. */
  readonly problems: readonly string[]
}

/** Retention in each region, at once. `ours`: the run's images (made, copied or reused), never touched. */
export async function retire(
  aws: Aws,
  regions: readonly string[],
  ours: ReadonlySet<string>,
  retention: Retention,
  clock: Clock,
  log: (line: string) => void
): Promise<RetirementReport> {
  const reports = await Promise.all(
    regions.map(region =>
      retireIn(aws.ec2(region), ours, retention, clock, log).catch(
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

async function retireIn(ec2: Ec2, ours: ReadonlySet<string>, retention: Retention, clock: Clock, log: (line: string) => void): Promise<RetirementReport> {
  const { region } = ec2
  const { family, keepLatest, dryRun } = retention
  const older = (await ec2.findImagesTagged(FAMILY_TAG_KEY, family))
    .filter(image => !ours.has(image.imageId) && image.state !== 'pending')
    .sort((a, b) => b.creationDate.localeCompare(a.creationDate))
  // The run's own image is the newest of the N.
  const kept: KeptImage[] = older.slice(0, keepLatest - 1).map(image => keep(region, image, false, `one of the newest ${keepLatest}`))
  const beyond = older.slice(keepLatest - 1)
  if (beyond.length === 0) return { removed: [], kept, problems: [] }

  const inUse = await ec2.imagesInUse(beyond.map(image => image.imageId))
  kept.push(...beyond.filter(image => inUse.has(image.imageId)).map(image => keep(region, image, true, 'an instance was launched from it')))
  const retiring = beyond.filter(image => !inUse.has(image.imageId))
  const deletable = await deletableSnapshots(ec2, retiring, family)

  const removed: RetiredImage[] = []
  const problems: string[] = []
  for (const image of retiring) {
    const snapshotIds = image.snapshotIds.filter(id => deletable.has(id))
    const what = `${image.imageId} (${image.name}, created ${image.creationDate}) in ${region}`
    if (dryRun) {
      log(`Dry run: retention would deregister ${what}${snapshotIds.length ? ` and delete ${snapshotIds.join(', ')}` : ''}`)
      removed.push({ region, imageId: image.imageId, name: image.name, creationDate: image.creationDate, snapshotIds })
      continue
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

/**
 * The snapshots of the retiring images that retention may delete: they carry the family tag (an image registered
 * from a user's snapshot leaves it alone), and no image that stays uses them.
 */
async function deletableSnapshots(ec2: Ec2, retiring: readonly OwnedImage[], family: string): Promise<Set<string>> {
  const candidates = [...new Set(retiring.flatMap(image => image.snapshotIds))]
  if (candidates.length === 0) return new Set()
  const tags = await ec2.snapshotTags(candidates)
  const tagged = candidates.filter(id => tags.get(id)?.[FAMILY_TAG_KEY] === family)
  const leaving = new Set(retiring.map(image => image.imageId))
  const staying = (await ec2.findImagesUsing(tagged)).filter(image => !leaving.has(image.imageId))
  const used = new Set(staying.flatMap(image => image.snapshotIds))
  return new Set(tagged.filter(id => !used.has(id)))
}

function keep(region: string, image: OwnedImage, inUse: boolean, reason: string): KeptImage {
  return { region, imageId: image.imageId, name: image.name, inUse, reason }
}
