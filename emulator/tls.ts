/**
 * An https front for the emulator, as AWS's endpoints speak TLS: it terminates TLS with a
 * certificate made for one host name (self-signed, by the `openssl` command, valid for a day) and
 * passes the bytes on to the emulator's http port. A process that trusts the certificate
 * (NODE_EXTRA_CA_CERTS=certificateFile) reaches the emulator at https://HOST:port.
 */
import { execFileSync } from 'node:child_process'
import { mkdtempSync, readFileSync, rmSync } from 'node:fs'
import net from 'node:net'
import { tmpdir } from 'node:os'
import path from 'node:path'
import tls from 'node:tls'

export interface TlsFront {
  port: number
  /** The PEM certificate the front presents, to trust (NODE_EXTRA_CA_CERTS). */
  certificateFile: string
  /** TLS connections accepted so far. */
  connections: number
  stop(): Promise<void>
}

export async function startTlsFront(emulatorPort: number, host: string): Promise<TlsFront> {
  const dir = mkdtempSync(path.join(tmpdir(), 'emulator-tls-'))
  const keyFile = path.join(dir, 'key.pem')
  const certificateFile = path.join(dir, 'certificate.pem')
  execFileSync(
    'openssl',
    ['req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes', '-days', '1', '-subj', `/CN=${host}`,
      '-addext', `subjectAltName=DNS:${host}`, '-keyout', keyFile, '-out', certificateFile],
    { stdio: 'ignore' }
  )
  const sockets = new Set<net.Socket>()
  const front = {
    port: 0,
    certificateFile,
    connections: 0,
    stop: () =>
      new Promise<void>((resolve) => {
        for (const socket of sockets) socket.destroy()
        server.close(() => {
          rmSync(dir, { recursive: true, force: true })
          resolve()
        })
      })
  }
  const server = tls.createServer({ key: readFileSync(keyFile), cert: readFileSync(certificateFile) }, (client) => {
    front.connections++
    const emulator = track(net.connect(emulatorPort, '127.0.0.1'))
    for (const socket of [client, emulator]) {
      socket.on('error', () => {
        client.destroy()
        emulator.destroy()
      })
    }
    client.pipe(emulator).pipe(client)
  })
  server.on('connection', track)
  function track(socket: net.Socket): net.Socket {
    sockets.add(socket)
    socket.on('close', () => sockets.delete(socket))
    return socket
  }
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  front.port = (server.address() as net.AddressInfo).port
  return front
}
