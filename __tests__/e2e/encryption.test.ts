/**
 * Encrypted releases end to end, dist/index.js against the local endpoint (EC2, KMS) in several regions: an
 * unencrypted instance encrypted through a copy in its own region, copies with each region's key, time-based copies,
 * the keys checked before CreateImage, and a failure after the encrypting copy that leaves nothing behind.
 */
import { describe, expect, it, jest } from '@jest/globals'
import type { Sim } from '../../sim/index.js'
import { callsTo, errorMessages, expectFailure, expectSuccess, warningMessages, withHarness } from './harness.js'

// Three waits in a row (the intermediate, its encrypted copy, the copies), each some seconds of the waiter's budget.
jest.setTimeout(120_000)

const SHARE_WITH = '111122223333'

function snapshotKeys(sim: Sim, imageId: string): (string | undefined)[] {
  return sim
    .snapshots()
    .filter(snapshot => snapshot.imageId === imageId && !snapshot.deleted)
    .map(snapshot => snapshot.kmsKeyId)
}

describe('encrypted releases', () => {
  it.concurrent('encrypts an unencrypted instance through a copy in its region, then copies with each region key, all on a deadline', () =>
    withHarness({ bake: { durationMs: 600 } }, async h => {
      const release = h.sim.addKey({ region: 'us-east-1', aliases: ['alias/release'] })
      const ireland = h.sim.addKey({ region: 'eu-west-1', aliases: ['alias/release'] })
      const sydney = h.sim.addKey({ region: 'ap-southeast-2' })
      const main = await h.main({
        name: 'web v1',
        tags: 'Application=web',
        encrypt: 'true',
        'kms-key-id': 'alias/release',
        'copy-to-regions': 'eu-west-1, ap-southeast-2',
        'copy-kms-key-ids': `ap-southeast-2=${sydney.arn}`,
        'copy-completion-minutes': '120',
        'share-with-accounts': SHARE_WITH
      })
      expectSuccess(main)

      // The instance's volumes were read before the bake: unencrypted, so the image was made under an intermediate name.
      const [create] = callsTo(h.sim, 'CreateImage')
      expect(create.params.Name).toMatch(/^web v1 unencrypted [0-9a-f]{8}$/)
      const intermediate = h.sim.images().find(image => image.name === create.params.Name)!
      expect(intermediate.tags).toEqual({})
      // Then copied in its own region, encrypted with the key, on the deadline asked for; then removed with its snapshots.
      const encrypting = callsTo(h.sim, 'CopyImage').find(call => call.region === 'us-east-1')!
      expect(encrypting.params).toMatchObject({
        SourceRegion: 'us-east-1',
        SourceImageId: intermediate.imageId,
        Name: 'web v1',
        Encrypted: 'true',
        KmsKeyId: release.arn,
        SnapshotCopyCompletionDurationMinutes: '120'
      })
      expect(intermediate.state).toBe('deregistered')
      expect(snapshotKeys(h.sim, intermediate.imageId)).toEqual([])

      // The encrypted copy is the release: image-id, the name and tags, every snapshot with the key.
      const released = h.sim.images().find(image => image.region === 'us-east-1' && image.name === 'web v1')!
      expect(main.outputs['image-id']).toBe(released.imageId)
      expect(released).toMatchObject({ state: 'available', tags: { Application: 'web' } })
      expect(snapshotKeys(h.sim, released.imageId)).toEqual([release.arn])

      // Copies of the encrypted image, each with its region's key: the alias in Ireland, the ARN given for Sydney.
      const copies = JSON.parse(main.outputs.images) as Record<string, string>
      expect(Object.keys(copies).sort()).toEqual(['ap-southeast-2', 'eu-west-1', 'us-east-1'])
      for (const [region, key] of [
        ['eu-west-1', ireland.arn],
        ['ap-southeast-2', sydney.arn]
      ]) {
        const copy = h.sim.images().find(image => image.imageId === copies[region])!
        expect(copy).toMatchObject({ state: 'available', name: 'web v1', copy: { encrypted: true, kmsKeyId: key, completionMinutes: 120 } })
        expect(callsTo(h.sim, 'CopyImage').find(call => call.region === region)?.params.SourceImageId).toBe(released.imageId)
        expect(snapshotKeys(h.sim, copy.imageId)).toEqual([key])
      }
      expect(callsTo(h.sim, 'CopyImage').map(call => call.params.SnapshotCopyCompletionDurationMinutes)).toEqual(['120', '120', '120'])
      // Each region's key next to its image in the summary, by alias where it has one.
      expect(main.summary).toContain('alias/release')
      expect(main.summary).toContain(sydney.arn)
    })
  )

  it.concurrent('makes no copy when the instance is already encrypted with the key', () =>
    withHarness({ bake: { durationMs: 600 } }, async h => {
      const key = h.sim.addKey({ region: 'us-east-1', aliases: ['alias/release'] })
      const instanceId = h.sim.addInstance({ kmsKeyId: key.arn })
      const main = await h.main({ 'instance-id': instanceId, encrypt: 'true', 'kms-key-id': 'alias/release' })
      expectSuccess(main)
      expect(callsTo(h.sim, 'CopyImage')).toEqual([])
      const [image] = h.sim.images()
      expect(main.outputs['image-id']).toBe(image.imageId)
      expect(snapshotKeys(h.sim, image.imageId)).toEqual([key.arn])
    })
  )

  it.concurrent("encrypts an image registered from the user's snapshot, and leaves that snapshot as it was", () =>
    withHarness({ bake: { durationMs: 600 } }, async h => {
      const key = h.sim.addKey({ region: 'us-east-1', aliases: ['alias/release'] })
      const snapshotId = h.sim.addSnapshot({ sizeGiB: 8 })
      const before = h.sim.snapshots().find(snapshot => snapshot.snapshotId === snapshotId)
      const main = await h.main({ 'instance-id': '', 'snapshot-id': snapshotId, name: 'web v1', encrypt: 'true', 'kms-key-id': 'alias/release' })
      expectSuccess(main)

      // The intermediate was registered from the user's snapshot, copied encrypted, and deregistered: the snapshot stays.
      const [register] = callsTo(h.sim, 'RegisterImage')
      expect(register.params.Name).toMatch(/^web v1 unencrypted [0-9a-f]{8}$/)
      expect(h.sim.images().find(image => image.name === register.params.Name)?.state).toBe('deregistered')
      expect(callsTo(h.sim, 'DeleteSnapshot').map(call => call.params.SnapshotId)).not.toContain(snapshotId)
      expect(h.sim.snapshots().find(snapshot => snapshot.snapshotId === snapshotId)).toEqual(before)
      expect(snapshotKeys(h.sim, main.outputs['image-id'])).toEqual([key.arn])
    })
  )

  it.concurrent('refuses an AWS managed key for a shared image before CreateImage, naming the region and the key', () =>
    withHarness({ bake: { durationMs: 600 } }, async h => {
      // A single-Region key for the bake region; none for the copy region, which then uses its default EBS key, aws/ebs,
      // which the accounts shared with cannot use.
      const key = h.sim.addKey({ region: 'us-east-1' })
      const main = await h.main({ encrypt: 'true', 'kms-key-id': key.arn, 'copy-to-regions': 'eu-west-1', 'share-with-accounts': SHARE_WITH })
      expectFailure(main, /In eu-west-1, the KMS key alias\/aws\/ebs \(arn:aws:kms:eu-west-1:\d+:key\/[\w-]+\), the default EBS key of eu-west-1 is an AWS managed key/, 'accounts you share with cannot use an AWS managed key', 'Nothing was made.')
      expect(callsTo(h.sim, 'CreateImage')).toEqual([])
      expect(h.sim.images()).toEqual([])
    })
  )

  it.concurrent('refuses a disabled key before CreateImage', () =>
    withHarness({ bake: { durationMs: 600 } }, async h => {
      const key = h.sim.addKey({ region: 'us-east-1', state: 'Disabled', aliases: ['alias/release'] })
      const main = await h.main({ encrypt: 'true', 'kms-key-id': 'alias/release' })
      expectFailure(main, `In us-east-1, the KMS key alias/release (${key.arn}) is Disabled: EBS cannot encrypt with it.`, 'aws kms enable-key')
      expect(callsTo(h.sim, 'CreateImage')).toEqual([])
      expect(h.sim.images()).toEqual([])
    })
  )

  it.concurrent('checks the keys in a dry run too: a key missing in a copy region, and a denied DescribeKey, each named', () =>
    withHarness({ bake: { durationMs: 600 } }, async h => {
      for (const region of ['us-east-1', 'ap-southeast-2']) h.sim.addKey({ region, aliases: ['alias/release'] })
      h.sim.deny({ action: 'kms:DescribeKey', region: 'ap-southeast-2' })
      const main = await h.main({ 'dry-run': 'true', encrypt: 'true', 'kms-key-id': 'alias/release', 'copy-to-regions': 'eu-west-1, ap-southeast-2' })
      expectFailure(main, "The KMS key 'alias/release' does not exist in eu-west-1", 'may not call kms:DescribeKey', 'ap-southeast-2', 'Nothing was made.')
      expect(h.sim.images()).toEqual([])
    })
  )

  it.concurrent('without encrypt, refuses a shared image whose instance uses aws/ebs before CreateImage, naming the volume', () =>
    withHarness({ bake: { durationMs: 600 } }, async h => {
      // EBS encryption by default: the instance's volume is encrypted with the AWS managed key.
      const instanceId = h.sim.addInstance({ kmsKeyId: 'alias/aws/ebs' })
      const main = await h.main({ 'instance-id': instanceId, 'share-with-accounts': SHARE_WITH })
      const [volume] = callsTo(h.sim, 'DescribeVolumes')
      expect(volume.params).toMatchObject({ 'Filter.1.Name': 'attachment.instance-id', 'Filter.1.Value.1': instanceId })
      expectFailure(main, /In us-east-1, vol-\w+, which the image is made from, are encrypted with alias\/aws\/ebs \(arn:aws:kms:us-east-1:\d+:key\/[\w-]+\), an AWS managed key/, "Set 'encrypt: true'", 'Nothing was made.')
      expect(callsTo(h.sim, 'CreateImage')).toEqual([])
    })
  )

  it.concurrent("without encrypt, refuses a shared image whose copy would take a region's AWS managed default key", () =>
    withHarness({ bake: { durationMs: 600 } }, async h => {
      const key = h.sim.addKey({ region: 'us-east-1' })
      const instanceId = h.sim.addInstance({ kmsKeyId: key.arn })
      const main = await h.main({ 'instance-id': instanceId, 'copy-to-regions': 'eu-west-1', 'share-with-accounts': SHARE_WITH })
      expectFailure(main, /In eu-west-1, the copy would be encrypted with alias\/aws\/ebs \(.*\), the default EBS key of eu-west-1, an AWS managed key/, "'copy-kms-key-ids'")
      // The image's own key, customer managed, is not the problem.
      expect(errorMessages(main).join('\n')).not.toContain(key.arn)
      expect(h.sim.images()).toEqual([])
    })
  )

  it.concurrent('without encrypt, reads no key for a shared image whose source is not encrypted, and warns when it cannot look', () =>
    withHarness({ bake: { durationMs: 600 } }, async h => {
      const plain = await h.main({ 'share-with-accounts': SHARE_WITH, name: 'web plain' })
      expectSuccess(plain)
      expect(h.sim.calls.filter(call => call.service === 'kms')).toEqual([])

      h.sim.deny({ action: 'ec2:DescribeVolumes' })
      const unread = await h.main({ 'share-with-accounts': SHARE_WITH, name: 'web unread' })
      expectSuccess(unread)
      expect(warningMessages(unread).join('\n')).toContain('Could not check how the source of the shared image is encrypted')
    })
  )

  it.concurrent('leaves nothing in any region when a step after the encrypting copy fails', () =>
    withHarness({ bake: { durationMs: 600 } }, async h => {
      h.sim.addKey({ region: 'us-east-1', aliases: ['alias/release'] })
      h.sim.addKey({ region: 'eu-west-1', aliases: ['alias/release'] })
      // Sharing is the step after the copies: denied, the release fails once everything was made.
      h.sim.deny({ action: 'ec2:ModifyImageAttribute' })
      const main = await h.main({ encrypt: 'true', 'kms-key-id': 'alias/release', 'copy-to-regions': 'eu-west-1', 'share-with-accounts': SHARE_WITH })
      expectFailure(main, 'ModifyImageAttribute')
      // The intermediate, the encrypted release and its copy were all made, and all are gone with their snapshots.
      expect(callsTo(h.sim, 'CopyImage')).toHaveLength(2)
      expect(h.sim.images()).toHaveLength(3)
      expect(await h.leftovers()).toEqual({ images: [], snapshots: [] })
    })
  )
})
