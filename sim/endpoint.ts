import type { IncomingHttpHeaders } from 'node:http'
import type { FaultKind, SimService } from './types.js'

// The seam between the HTTP server (routing, faults, the call log) and the three services it hosts.

export interface IncomingRequest {
  method: string
  /** percent-encoded, without the query */
  path: string
  /** raw, without '?' */
  query: string
  headers: IncomingHttpHeaders
  body: Buffer
}

export interface Reply {
  status: number
  headers: Record<string, string>
  body: string
  errorCode?: string
  /** Who the call turned out to be for, when only the work itself tells (AssumeRoleWithWebIdentity). */
  principal?: string
}

/** A request the endpoint has read and authenticated but not yet acted on, so a fault can still pre-empt it. */
export interface Exchange {
  action: string
  params: Record<string, string>
  region?: string
  principal?: string
  /** Do the work and answer. Never throws: errors are answers too. */
  answer(): Reply
}

export interface Endpoint {
  readonly service: SimService
  identify(request: IncomingRequest): Exchange
  /** The answer for a fault that is an answer (everything but the resets). */
  faultReply(kind: Exclude<FaultKind, 'reset' | 'reset-after-processing'>): Reply
}
