/**
 * Undo of the hand-off: puts back what `distribute/hand-off.ts` changed outside the run, from the ledger alone (post
 * runs it too): a parameter's old value, or deletes a parameter the run made; a launch template's old default version,
 * and deletes the versions the run made. Nothing else about a parameter or template is touched.
 */
import type { Aws } from './aws.js'
import { describeClause } from './errors.js'
import type { BakeState, HandOffRecord } from './state.js'

/**
 * Puts back what the hand-off changed: the parameter's old value (or deletes a parameter the run made), the template's
 * old default version, and deletes the versions the run made. Returns one sentence per thing it could not put back.
 */
export async function restoreHandOffs(aws: Aws, state: BakeState, log: (line: string) => void): Promise<string[]> {
  const problems: string[] = []
  for (const record of state.handOffs()) {
    try {
      if (record.kind === 'ssm-parameter') {
        const store = await aws.ssm(record.region)
        // Only what the run wrote is undone: a parameter that does not hold the run's image (the write was refused,
        // or someone wrote it since) is left as it is.
        const now = await store.getParameter(record.name)
        if (now?.value !== record.wrote) {
          log(`Parameter ${record.name} in ${record.region} does not hold ${record.wrote}: left as it is`)
        } else if (record.previous) {
          await store.putParameter(record.name, record.previous.value, record.previous)
          log(`Parameter ${record.name} in ${record.region} holds ${record.previous.value} again`)
        } else {
          await store.deleteParameter(record.name)
          log(`Deleted parameter ${record.name} in ${record.region}, which this run made`)
        }
      } else {
        const ec2 = aws.ec2(record.region)
        if (record.defaultChanged) await ec2.setDefaultLaunchTemplateVersion(record.templateId, record.previousDefault)
        if (record.versions.length > 0) await ec2.deleteLaunchTemplateVersions(record.templateId, record.versions)
        log(`Launch template ${record.templateId} in ${record.region} is as it was (default version ${record.previousDefault})`)
      }
      state.recordHandOff({ ...record, restored: true })
    } catch (error) {
      problems.push(`Could not put back ${describeRecord(record)}: ${describeClause(error)}. ${howToRestore(record)}`)
    }
  }
  return problems
}

function describeRecord(record: HandOffRecord): string {
  return record.kind === 'ssm-parameter' ? `parameter ${record.name} in ${record.region}` : `launch template ${record.templateId} in ${record.region}`
}

function howToRestore(record: HandOffRecord): string {
  if (record.kind === 'ssm-parameter') {
    return record.previous
      ? `Put it back by hand: aws ssm put-parameter --region ${record.region} --name '${record.name}' --value ${record.previous.value} --type ${record.previous.type} --data-type ${record.previous.dataType} --overwrite`
      : `Delete it by hand: aws ssm delete-parameter --region ${record.region} --name '${record.name}'`
  }
  const steps = [
    ...(record.defaultChanged ? [`aws ec2 modify-launch-template --region ${record.region} --launch-template-id ${record.templateId} --default-version ${record.previousDefault}`] : []),
    ...(record.versions.length
      ? [`aws ec2 delete-launch-template-versions --region ${record.region} --launch-template-id ${record.templateId} --versions ${record.versions.join(' ')}`]
      : [])
  ]
  return `Put it back by hand: ${steps.join(' && ')}`
}
