// A Bluesky PDS and its PLC directory in one Node process, for Crosspost's live tests.
//
// Started by scripts/bluesky-test-pds.sh, which copies this file next to its node_modules
// and passes the PDS_* settings in the environment. The PLC directory keeps its DIDs in
// memory, so the script wipes the PDS data before each start: accounts and DIDs live and
// die together.
//
// Both servers listen on 127.0.0.1 only (their own start() would listen on every
// interface), and the PDS's listener counts the sessions it gives out and answers two paths:
//   GET /_crosspost/stats[?did=DID]       {"createSession": n, "refreshSession": n}, for
//                                         every account or for one (tests run in parallel)
//   GET /xrpc/app.bsky.actor.getProfile   a small profile of a local account, which SDK
//                                         logins ask for and a bare PDS cannot serve
//                                         (it has no AppView here)
import http from 'node:http'
import { once } from 'node:events'
import plcPackage from '@did-plc/server'
import { PDS, envToCfg, envToSecrets, readEnv } from '@atproto/pds'

const { PlcServer, Database } = plcPackage
const HOST = '127.0.0.1'
const plcPort = Number(process.env.CROSSPOST_BSKY_PLC_PORT)
const counts = { createSession: 0, refreshSession: 0 }
const countsByDid = new Map()

// Make `app.listen(port)` (called by start()) listen on loopback only, through `handler`.
const onLoopback = (app, handler) => {
  app.listen = (port) => http.createServer(handler).listen(port, HOST)
}

const plc = PlcServer.create({ db: Database.mock(), port: plcPort })
onLoopback(plc.app, plc.app)
await plc.start()

const env = readEnv()
const pds = await PDS.create(envToCfg(env), envToSecrets(env))

const json = (res, status, body) => {
  res.writeHead(status, { 'content-type': 'application/json' })
  res.end(JSON.stringify(body))
}

const profile = async (res, actor) => {
  const accounts = pds.ctx.accountManager
  const account = actor?.startsWith('did:')
    ? await accounts.getAccount(actor)
    : await accounts.getAccount(actor ?? '')
  if (!account) return json(res, 400, { error: 'InvalidRequest', message: 'Profile not found' })
  json(res, 200, { did: account.did, handle: account.handle ?? actor })
}

// Count a session call once it succeeded, under the DID its answer names.
const countSessions = (name, res) => {
  const end = res.end.bind(res)
  res.end = (chunk, ...rest) => {
    if (res.statusCode === 200) {
      counts[name] += 1
      try {
        const { did } = JSON.parse(String(chunk))
        const mine = countsByDid.get(did) ?? { createSession: 0, refreshSession: 0 }
        mine[name] += 1
        countsByDid.set(did, mine)
      } catch {}
    }
    return end(chunk, ...rest)
  }
}

onLoopback(pds.app, (req, res) => {
  const url = new URL(req.url, `http://${HOST}`)
  const method = url.pathname.replace(/^\/xrpc\//, '')
  const name = method.replace(/^com\.atproto\.server\./, '')
  if (method !== name && name in counts) countSessions(name, res)
  if (url.pathname === '/_crosspost/stats') {
    const did = url.searchParams.get('did')
    return json(res, 200, did ? countsByDid.get(did) ?? { createSession: 0, refreshSession: 0 } : counts)
  }
  if (method === 'app.bsky.actor.getProfile') {
    return profile(res, url.searchParams.get('actor')).catch((err) =>
      json(res, 500, { error: 'InternalServerError', message: String(err) }),
    )
  }
  pds.app(req, res)
})
await pds.start()
console.log(`crosspost test PDS on http://${HOST}:${pds.ctx.cfg.service.port}, PLC on :${plcPort}`)

const stop = async () => {
  await pds.destroy()
  await plc.destroy()
  process.exit(0)
}
process.on('SIGTERM', stop)
process.on('SIGINT', stop)
