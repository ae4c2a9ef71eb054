import http from 'node:http'
import type { AddressInfo } from 'node:net'
import type { Endpoint, IncomingRequest, Reply } from './endpoint.js'
import { faultName, type FaultQueue } from './faults.js'
import type { SimCall } from './types.js'

export interface Server {
  url: string
  close(): Promise<void>
}

/**
 * Serves each endpoint under its own path (/ec2, /sts, /oidc), so a client that reaches the wrong
 * service's URL fails loudly instead of being answered by the right service anyway.
 */
export async function serve(endpoints: Endpoint[], faults: FaultQueue, record: (call: Omit<SimCall, 'at'>) => void): Promise<Server> {
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = []
    req.on('data', (chunk: Buffer) => chunks.push(chunk))
    req.on('end', () => {
      const [path, query = ''] = (req.url ?? '/').split(/\?(.*)/s)
      const endpoint = endpoints.find((e) => path === `/${e.service}` || path.startsWith(`/${e.service}/`))
      if (!endpoint) {
        res.writeHead(404, { 'content-type': 'text/plain' }).end(`No simulated service at ${path}\n`)
        return
      }
      const request: IncomingRequest = { method: req.method ?? 'GET', path, query, headers: req.headers, body: Buffer.concat(chunks) }
      const exchange = endpoint.identify(request)
      const fault = faults.take(endpoint.service, exchange.action)
      let reply: Reply | undefined
      if (fault === undefined || fault === 'reset-after-processing') reply = exchange.answer()
      else if (fault !== 'reset') reply = endpoint.faultReply(fault)
      record({
        service: endpoint.service,
        action: exchange.action,
        region: exchange.region,
        principal: reply?.principal ?? exchange.principal,
        params: exchange.params,
        status: reply?.status ?? 0,
        errorCode: reply?.errorCode,
        fault: fault === undefined ? undefined : faultName(fault)
      })
      // A reset looks to the client like a dropped connection: no status line, no body.
      if (reply === undefined || fault === 'reset-after-processing') req.socket.destroy()
      else res.writeHead(reply.status, reply.headers).end(reply.body)
    })
  })
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject)
    server.listen(0, '127.0.0.1', resolve)
  })
  const { port } = server.address() as AddressInfo
  return {
    url: `http://127.0.0.1:${port}`,
    close: () =>
      new Promise<void>((resolve, reject) => {
        server.close((error) => (error ? reject(error) : resolve()))
        // SDK clients keep connections alive; without this, close() waits for them to time out.
        server.closeAllConnections()
      })
  }
}
