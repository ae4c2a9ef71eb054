/** Durations as people write them in inputs and read them in logs. */

const DURATION = /^(?:(\d+)h)?(?:(\d+)m)?(?:(\d+)s)?$/

/** `90s`, `45m`, `2h`, `1h30m`, or whole seconds, to milliseconds; undefined unless more than zero. */
export function parseDuration(text: string): number | undefined {
  if (/^\d+$/.test(text)) return Number(text) * 1000 || undefined
  const match = DURATION.exec(text)
  if (!match || text === '') return undefined
  const [, hours = '0', minutes = '0', seconds = '0'] = match
  const ms = ((Number(hours) * 60 + Number(minutes)) * 60 + Number(seconds)) * 1000
  return ms > 0 ? ms : undefined
}

/** `1h02m03s`, `4m05s`, `6s`. */
export function formatDuration(ms: number): string {
  const total = Math.max(0, Math.round(ms / 1000))
  const hours = Math.floor(total / 3600)
  const minutes = Math.floor((total % 3600) / 60)
  const seconds = total % 60
  const pad = (n: number) => String(n).padStart(2, '0')
  if (hours) return `${hours}h${pad(minutes)}m${pad(seconds)}s`
  if (minutes) return `${minutes}m${pad(seconds)}s`
  return `${seconds}s`
}
