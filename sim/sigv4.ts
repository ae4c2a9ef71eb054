import { createHash, createHmac, timingSafeEqual } from 'node:crypto'
import type { IncomingHttpHeaders } from 'node:http'

// Signature Version 4, computed from the request as received, exactly as the service side does it:
// canonical request -> string to sign -> key derived from the secret, date, region and service -> HMAC.
// https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_sigv-create-signed-request.html

export interface SignedRequest {
  method: string
  /** Path as it arrived, still percent-encoded (no query). */
  path: string
  /** Query string as it arrived, without '?'. */
  query: string
  headers: IncomingHttpHeaders
  body: Buffer
}

/** The parts of `Authorization: AWS4-HMAC-SHA256 Credential=…, SignedHeaders=…, Signature=…`. */
export interface Authorization {
  accessKeyId: string
  /** YYYYMMDD from the credential scope */
  date: string
  region: string
  service: string
  signedHeaders: string[]
  signature: string
}

export function parseAuthorization(header: string): Authorization | undefined {
  const match = /^AWS4-HMAC-SHA256\s+(.*)$/s.exec(header.trim())
  if (!match) return undefined
  const fields = new Map<string, string>()
  for (const part of match[1].split(',')) {
    const eq = part.indexOf('=')
    if (eq > 0) fields.set(part.slice(0, eq).trim(), part.slice(eq + 1).trim())
  }
  const scope = fields.get('Credential')?.split('/')
  const signedHeaders = fields.get('SignedHeaders')
  const signature = fields.get('Signature')
  if (!scope || scope.length !== 5 || scope[4] !== 'aws4_request' || !signedHeaders || !signature) return undefined
  const [accessKeyId, date, region, service] = scope
  return { accessKeyId, date, region, service, signedHeaders: signedHeaders.split(';'), signature }
}

/** RFC 3986 encoding, which SigV4 requires and encodeURIComponent falls short of (it leaves !'()* alone). */
function uriEncode(text: string): string {
  return encodeURIComponent(text).replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`)
}

function decodeComponent(text: string): string {
  try {
    return decodeURIComponent(text.replace(/\+/g, ' '))
  } catch {
    return text
  }
}

/**
 * Services other than S3 normalise the path and encode each segment once more on top of the encoding it
 * already has on the wire, so the received (encoded) path is encoded again here.
 */
function canonicalPath(path: string): string {
  const segments: string[] = []
  for (const segment of path.split('/')) {
    if (segment === '..') segments.pop()
    else if (segment !== '.' && segment !== '') segments.push(uriEncode(segment))
  }
  const trailing = path.endsWith('/') && segments.length > 0 ? '/' : ''
  return `/${segments.join('/')}${trailing}`
}

function canonicalQuery(query: string): string {
  return query
    .split('&')
    .filter((pair) => pair !== '')
    .map((pair) => {
      const eq = pair.indexOf('=')
      const key = eq < 0 ? pair : pair.slice(0, eq)
      const value = eq < 0 ? '' : pair.slice(eq + 1)
      return [uriEncode(decodeComponent(key)), uriEncode(decodeComponent(value))] as const
    })
    .sort(([ka, va], [kb, vb]) => (ka < kb ? -1 : ka > kb ? 1 : va < vb ? -1 : va > vb ? 1 : 0))
    .map(([key, value]) => `${key}=${value}`)
    .join('&')
}

function headerValue(headers: IncomingHttpHeaders, name: string): string {
  const value = headers[name]
  const joined = Array.isArray(value) ? value.join(',') : (value ?? '')
  return joined.trim().replace(/\s+/g, ' ')
}

export function sha256Hex(data: string | Buffer): string {
  return createHash('sha256').update(data).digest('hex')
}

function hmac(key: string | Buffer, data: string): Buffer {
  return createHmac('sha256', key).update(data, 'utf8').digest()
}

export function canonicalRequest(request: SignedRequest, signedHeaders: string[]): string {
  return [
    request.method,
    canonicalPath(request.path),
    canonicalQuery(request.query),
    ...signedHeaders.map((name) => `${name}:${headerValue(request.headers, name)}`),
    '',
    signedHeaders.join(';'),
    // Hash the body that actually arrived, not the x-amz-content-sha256 header the client claims.
    sha256Hex(request.body)
  ].join('\n')
}

/** The signature a client holding `secret` would have sent for this request. */
export function expectedSignature(request: SignedRequest, auth: Authorization, amzDate: string, secret: string): string {
  const scope = `${auth.date}/${auth.region}/${auth.service}/aws4_request`
  const stringToSign = ['AWS4-HMAC-SHA256', amzDate, scope, sha256Hex(canonicalRequest(request, auth.signedHeaders))].join('\n')
  const signingKey = [auth.date, auth.region, auth.service, 'aws4_request'].reduce<Buffer | string>(
    (key, part) => hmac(key, part),
    `AWS4${secret}`
  )
  return hmac(signingKey, stringToSign).toString('hex')
}

export function signatureMatches(request: SignedRequest, auth: Authorization, amzDate: string, secret: string): boolean {
  const expected = Buffer.from(expectedSignature(request, auth, amzDate, secret))
  const given = Buffer.from(auth.signature)
  return expected.length === given.length && timingSafeEqual(expected, given)
}

/** `20150830T123600Z` -> epoch ms, or undefined when it is not that shape. */
export function parseAmzDate(amzDate: string): number | undefined {
  const m = /^(\d{4})(\d{2})(\d{2})T(\d{2})(\d{2})(\d{2})Z$/.exec(amzDate)
  return m ? Date.UTC(+m[1], +m[2] - 1, +m[3], +m[4], +m[5], +m[6]) : undefined
}
