/** The lines a person reads while waiting: on a change, at least once a minute, and the verdict. */
import { describe, expect, it } from '@jest/globals'
import { afterImageLook, afterSnapshotRead, NOTHING_SEEN } from '../../src/wait/cadence.js'
import { ProgressLog } from '../../src/wait/progress-log.js'

const S = 1000
const image = { state: 'pending', snapshotIds: ['snap-0a'] }

describe('ProgressLog', () => {
  it('writes a line on each change of what EC2 shows, and otherwise once a minute', () => {
    const lines: string[] = []
    const log = new ProgressLog('ami-0abc', line => lines.push(line))
    log.started(3600 * S)
    let seen = afterImageLook(NOTHING_SEEN, 0, undefined)
    log.looked(seen, 0)
    seen = afterImageLook(seen, 5 * S, image)
    log.looked(seen, 5 * S)
    seen = afterSnapshotRead(seen, 10 * S, [{ snapshotId: 'snap-0a', state: 'pending', progress: 10 }])
    log.looked(seen, 10 * S)
    seen = afterSnapshotRead(seen, 40 * S, [{ snapshotId: 'snap-0a', state: 'pending', progress: 20 }])
    log.looked(seen, 40 * S)
    seen = afterSnapshotRead(seen, 70 * S, [{ snapshotId: 'snap-0a', state: 'pending', progress: 30 }])
    log.looked(seen, 70 * S)
    seen = afterSnapshotRead(seen, 80 * S, [{ snapshotId: 'snap-0a', state: 'completed', progress: 100 }])
    log.looked(seen, 80 * S)
    log.finished('available', afterImageLook(seen, 85 * S, { ...image, state: 'available' }), 85 * S, '3 DescribeImages, 4 DescribeSnapshots')
    expect(lines).toEqual([
      'Waiting for ami-0abc to become available (timeout 1h00m00s)',
      'Waiting for ami-0abc: not shown by EC2 yet, 0s elapsed',
      'Waiting for ami-0abc: pending, 5s elapsed',
      expect.stringMatching(/^Waiting for ami-0abc: pending, snap-0a 30%, 1m10s elapsed, about \d+m\d+s left$/),
      'Waiting for ami-0abc: pending, all snapshots complete, 1m20s elapsed, any moment now',
      'ami-0abc is available after 1m25s (3 DescribeImages, 4 DescribeSnapshots)'
    ])
  })

  it.each([
    ['failed', { state: 'failed', stateReason: { code: 'Server.InternalError', message: 'Snapshot failed' }, snapshotIds: [] }, 'ami-0abc is failed after 2m00s: Snapshot failed (n calls)'],
    ['gone', image, 'ami-0abc is gone after 2m00s: EC2 no longer shows it (n calls)'],
    ['timeout', image, 'ami-0abc is still pending after 2m00s, giving up (n calls)'],
    ['aborted', image, 'Stopped waiting for ami-0abc after 2m00s (n calls)']
  ] as const)('ends a %s wait with one line', (verdict, shown, line) => {
    const lines: string[] = []
    new ProgressLog('ami-0abc', l => lines.push(l)).finished(verdict, afterImageLook(NOTHING_SEEN, 0, shown), 120 * S, 'n calls')
    expect(lines).toEqual([line])
  })

  it('notes throttling at once, then at most every 30 s', () => {
    const lines: string[] = []
    const log = new ProgressLog('ami-0abc', l => lines.push(l))
    log.throttled('DescribeImages', 'us-east-1', 2 * S, 10 * S, true)
    log.throttled('DescribeImages', 'us-east-1', 4 * S, 13 * S, false)
    log.throttled('DescribeSnapshots', 'us-east-1', 16 * S, 45 * S, false)
    expect(lines).toEqual([
      'Waiting for ami-0abc: EC2 throttled DescribeImages in us-east-1, looking again in 2s',
      'Waiting for ami-0abc: EC2 throttled DescribeSnapshots in us-east-1, looking again in 16s'
    ])
  })
})
