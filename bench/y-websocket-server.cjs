// Launches @y/websocket-server 0.1.1 (installed by run.sh into peers/node) on 127.0.0.1:$PORT:
// the package's own bin (src/server.js) binds $HOST, and without YPERSISTENCE keeps documents
// in memory. The same as `HOST=127.0.0.1 PORT=... npx y-websocket`.
process.env.HOST = "127.0.0.1"
process.env.PORT = process.env.PORT || "9002"
import("./peers/node/node_modules/@y/websocket-server/src/server.js")
