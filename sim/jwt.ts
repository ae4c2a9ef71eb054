import { createSign, createVerify, generateKeyPair, type KeyObject } from 'node:crypto'
import { randomHex } from './ids.js'

// RS256 JWTs, as GitHub's token service signs them.

export interface JwtKey {
  privateKey: KeyObject
  publicKey: KeyObject
  kid: string
}

let shared: Promise<JwtKey> | undefined

/**
 * One key pair per process, made on first use: a 2048-bit RSA key costs about 150 ms of CPU, and a test
 * suite starts many sims. Sims in the same process therefore accept each other's tokens, which no test
 * relies on either way.
 */
export function jwtKey(): Promise<JwtKey> {
  shared ??= new Promise((resolve, reject) => {
    generateKeyPair('rsa', { modulusLength: 2048 }, (error, publicKey, privateKey) => {
      if (error) reject(error)
      else resolve({ publicKey, privateKey, kid: randomHex(20).toUpperCase() })
    })
  })
  return shared
}

const encode = (value: unknown): string => Buffer.from(JSON.stringify(value)).toString('base64url')

export function signJwt(claims: Record<string, unknown>, key: JwtKey): string {
  const input = `${encode({ typ: 'JWT', alg: 'RS256', x5t: key.kid, kid: key.kid })}.${encode(claims)}`
  const signature = createSign('RSA-SHA256').update(input).sign(key.privateKey).toString('base64url')
  return `${input}.${signature}`
}

export type JwtCheck =
  | { ok: true; claims: Record<string, unknown> }
  | { ok: false; problem: 'malformed' | 'signature' }

export function verifyJwt(token: string, key: JwtKey): JwtCheck {
  const parts = token.split('.')
  if (parts.length !== 3) return { ok: false, problem: 'malformed' }
  let header: unknown
  let claims: unknown
  try {
    header = JSON.parse(Buffer.from(parts[0], 'base64url').toString('utf8'))
    claims = JSON.parse(Buffer.from(parts[1], 'base64url').toString('utf8'))
  } catch {
    return { ok: false, problem: 'malformed' }
  }
  if (!isRecord(header) || !isRecord(claims)) return { ok: false, problem: 'malformed' }
  if (header.alg !== 'RS256') return { ok: false, problem: 'signature' }
  const valid = createVerify('RSA-SHA256')
    .update(`${parts[0]}.${parts[1]}`)
    .verify(key.publicKey, Buffer.from(parts[2], 'base64url'))
  return valid ? { ok: true, claims } : { ok: false, problem: 'signature' }
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value)
}
