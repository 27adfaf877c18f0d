// Launches Hocuspocus (npm @hocuspocus/server 4.x, installed by run.sh into peers/node) on
// 127.0.0.1:$PORT with its defaults: no extensions, so documents live in memory only.
import { createRequire } from "node:module"
const require = createRequire(new URL("./peers/node/package.json", import.meta.url))
const { Server } = require("@hocuspocus/server")

const port = Number(process.env.PORT || 9003)
const server = new Server({ port, address: "127.0.0.1", quiet: true })
await server.listen()
console.log(`hocuspocus listening on 127.0.0.1:${port}`)
