/**
 * One AWS call on role credentials that may expire while a long bake runs: when AWS says they expired, the
 * credentials held since the call started are renewed and it is sent once more. Every client (EC2, Parameter Store,
 * KMS) sends its calls through here, each with its own translation of AWS errors into sentences.
 */
import { isExpiredCredentials } from './errors.js'

export async function sendRenewing<T>(
  send: () => Promise<T>,
  renewCredentials: ((since: number) => void) | undefined,
  explain: (error: unknown) => Error | Promise<Error>
): Promise<T> {
  // Credentials renewed while this call was out are not the ones AWS refused: they are kept.
  const startedAt = Date.now()
  try {
    return await send()
  } catch (error) {
    if (!renewCredentials || !isExpiredCredentials(error)) throw await explain(error)
    renewCredentials(startedAt)
    try {
      return await send()
    } catch (again) {
      throw await explain(again)
    }
  }
}
