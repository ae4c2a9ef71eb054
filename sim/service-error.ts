/**
 * An AWS error answer: thrown anywhere inside an action handler and rendered by the endpoint in its
 * service's error format (EC2 `<Response><Errors>`, STS `<ErrorResponse>`).
 */
export class ServiceError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string
  ) {
    super(message)
    this.name = 'ServiceError'
  }
}

/** A bug in the sim answers 500 with its stack, so the test that tripped it shows what broke. */
export function asServiceError(error: unknown, internalCode: string): ServiceError {
  if (error instanceof ServiceError) return error
  return new ServiceError(500, internalCode, `sim bug: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`)
}
