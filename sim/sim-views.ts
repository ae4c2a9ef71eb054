import { protectionState } from './ec2-protection.js'
import { isoTime, sdkMapping } from './ec2-render.js'
import { sdkGrants } from './ec2-share.js'
import { latestVersion, type Ec2State } from './ec2-state.js'
import { parameterArn, type SsmState } from './ssm-state.js'
import type { SimImage, SimLaunchTemplate, SimParameter, SimParameterWrite, SimSnapshot } from './types.js'

// The sim's own view of what EC2 holds, for tests to assert on without going through the API (and so
// including what the API no longer shows: deregistered images, deleted snapshots).

export function simImages(state: Ec2State, now: number, startedAt: number): SimImage[] {
  return state.images.map((image) => {
    const imageState = state.imageState(image, now)
    const fail = image.timeline.fail
    return {
      imageId: image.imageId,
      region: image.region,
      madeBy: image.madeBy,
      name: image.name,
      description: image.description,
      state: imageState,
      instanceId: image.instanceId,
      noReboot: image.noReboot,
      ...image.platform,
      rootDeviceName: image.rootDeviceName,
      tags: { ...image.tags },
      snapshotIds: state.snapshotsOf(image, now).map((s) => s.snapshotId),
      blockDeviceMappings: state.visibleMappings(image, now).map(sdkMapping),
      snapshotLocation: image.snapshotLocation,
      createdAt: image.timeline.startedAt - startedAt,
      stateReason: fail && imageState === 'failed' ? { code: fail.code, message: fail.message } : undefined,
      launchPermissions: sdkGrants(image.launchPermissions),
      imdsSupport: image.imdsSupport,
      deprecationTime: image.deprecateAt === undefined ? undefined : isoTime(image.deprecateAt),
      sourceImageId: image.source?.imageId,
      sourceRegion: image.source?.region,
      deregistrationProtection: protectionState(image, now),
      lastLaunchedTime: image.lastLaunchedAt === undefined ? undefined : isoTime(image.lastLaunchedAt),
      copy: image.copy && { ...image.copy }
    }
  })
}

/** Snapshots that have been made so far; the ones an image will still make are not there yet. */
export function simSnapshots(state: Ec2State, now: number): SimSnapshot[] {
  return state.snapshots
    .filter((snapshot) => state.snapshotMade(snapshot, now))
    .map((snapshot) => {
      const phase = state.snapshotPhase(snapshot, now)
      return {
        snapshotId: snapshot.snapshotId,
        region: snapshot.region,
        imageId: snapshot.imageId,
        madeFor: snapshot.madeFor,
        state: phase.state,
        progress: phase.progress,
        tags: { ...snapshot.tags },
        deleted: snapshot.deletedAt !== undefined,
        description: snapshot.description,
        createVolumePermissions: sdkGrants(snapshot.createVolumePermissions),
        encrypted: snapshot.encrypted,
        kmsKeyId: snapshot.kmsKeyId
      }
    })
}

/** Parameters as GetParameter shows them now, each with the update still being validated, if any. */
export function simParameters(ssm: SsmState, accountId: string, now: number, startedAt: number): SimParameter[] {
  const { parameters, pending } = ssm.snapshot(now)
  const view = (record: (typeof parameters)[number]): SimParameter => ({
    name: record.name,
    region: record.region,
    arn: parameterArn(record.region, accountId, record.name),
    value: record.value,
    type: record.type,
    dataType: record.dataType,
    tier: record.tier,
    version: record.version,
    lastModifiedAt: record.lastModifiedAt - startedAt
  })
  const shown = parameters.map(view)
  // A creation still being validated is no parameter yet (GetParameter does not find it): parameterWrites shows it.
  for (const write of pending) {
    const current = shown.find((p) => p.region === write.record.region && p.name === write.record.name)
    if (current) current.pending = { value: write.record.value, version: write.record.version, validatesAt: write.validatesAt - startedAt }
  }
  return shown
}

export function simParameterWrites(ssm: SsmState, now: number, startedAt: number): SimParameterWrite[] {
  return ssm.writes(now).map((write) => ({
    ...write,
    at: write.at - startedAt,
    settledAt: write.settledAt === undefined ? undefined : write.settledAt - startedAt
  }))
}

export function simLaunchTemplates(state: Ec2State): SimLaunchTemplate[] {
  return state.launchTemplates.map((template) => ({
    launchTemplateId: template.launchTemplateId,
    name: template.name,
    region: template.region,
    defaultVersion: template.defaultVersionNumber,
    latestVersion: latestVersion(template).versionNumber,
    tags: { ...template.tags },
    versions: template.versions.map((version) => ({
      versionNumber: version.versionNumber,
      description: version.description,
      imageId: version.data.imageId,
      instanceType: version.data.instanceType,
      createdBy: version.createdBy
    }))
  }))
}
