// Drives ipc-server with a JSON-RPC 2.0 client nobody here wrote: the npm package
// `json-rpc-2.0` (its JSONRPCClient), over a Node `net` socket, one JSON text per
// line. Run by ipc/tests/integration/client_library.rs:
//
//   NODE_PATH=<dir>/node_modules node jsonrpc_client.js unix:/path/to/s.sock
//   NODE_PATH=<dir>/node_modules node jsonrpc_client.js tcp:127.0.0.1:4711
//
// Exits 0 and prints "ok <n> checks" when every check passes; otherwise prints what
// failed on stderr and exits 1.
"use strict";
const assert = require("node:assert/strict");
const net = require("node:net");
const { JSONRPCClient, JSONRPCErrorException } = require("json-rpc-2.0");

const addr = process.argv[2] || "";
let options;
if (addr.startsWith("unix:")) {
  options = { path: addr.slice("unix:".length) };
} else if (addr.startsWith("tcp:")) {
  const hp = addr.slice("tcp:".length);
  const colon = hp.lastIndexOf(":");
  options = { host: hp.slice(0, colon), port: Number(hp.slice(colon + 1)) };
} else {
  console.error(`usage: node jsonrpc_client.js unix:PATH|tcp:HOST:PORT (got ${addr})`);
  process.exit(2);
}

// Anything the server sends that is not a reply to a pending request, and every
// line, for the failure message.
const received = [];

async function main() {
  const socket = net.createConnection(options);
  await new Promise((resolve, reject) => {
    socket.once("connect", resolve);
    socket.once("error", reject);
  });
  const client = new JSONRPCClient((payload) => {
    socket.write(JSON.stringify(payload) + "\n");
  });
  let buffered = "";
  socket.setEncoding("utf8");
  socket.on("data", (chunk) => {
    buffered += chunk;
    let nl;
    while ((nl = buffered.indexOf("\n")) >= 0) {
      const line = buffered.slice(0, nl);
      buffered = buffered.slice(nl + 1);
      received.push(line);
      client.receive(JSON.parse(line));
    }
  });
  socket.on("close", () => client.rejectAllPendingRequests("connection closed"));

  let checks = 0;
  const check = (what, fn) => {
    try {
      fn();
      checks++;
    } catch (e) {
      e.message = `${what}: ${e.message}`;
      throw e;
    }
  };
  // The library's own error for a JSON-RPC error response, with its code.
  const failure = async (promise) => {
    try {
      const result = await promise;
      return { result };
    } catch (e) {
      return { error: e };
    }
  };

  const pong = await client.request("ping");
  check("ping", () => assert.equal(pong, "pong"));

  const quo = await client.request("arith.divide", { a: 17, b: 8 });
  check("arith.divide named", () => assert.deepEqual(quo, { quo: 2, rem: 1 }));
  const neg = await client.request("arith.divide", [-17, 8]);
  check("arith.divide positional", () => assert.deepEqual(neg, { quo: -2, rem: -1 }));

  const zero = await failure(client.request("arith.divide", { a: 1, b: 0 }));
  check("division by zero", () => {
    assert.ok(zero.error instanceof JSONRPCErrorException, String(zero.error));
    assert.equal(zero.error.code, -32000);
    assert.equal(zero.error.message, "division by zero");
    assert.deepEqual(zero.error.data, { a: 1, b: 0 });
  });

  const unknown = await failure(client.request("no.such.method", [1]));
  check("unknown method", () => {
    assert.ok(unknown.error instanceof JSONRPCErrorException, String(unknown.error));
    assert.equal(unknown.error.code, -32601);
    assert.deepEqual(unknown.error.data, { method: "no.such.method" });
  });

  const params = await failure(client.request("arith.multiply", { a: "six" }));
  check("invalid params", () => assert.equal(params.error && params.error.code, -32602));

  // A batch: requestAdvanced with an array resolves with the responses to the
  // requests that have an id, in the order of the requests; the notification in
  // the middle gets none.
  const batch = await client.requestAdvanced([
    { jsonrpc: "2.0", id: 101, method: "arith.multiply", params: [6, -7] },
    { jsonrpc: "2.0", method: "echo", params: ["a notification"] },
    { jsonrpc: "2.0", id: "b", method: "echo", params: { x: [1, "two", null] } },
    { jsonrpc: "2.0", id: 103, method: "rpc.nothing" },
    { jsonrpc: "2.0", id: 104, method: "arith.divide", params: [9, 0] },
    { jsonrpc: "2.0", id: 105, method: "ping" },
  ]);
  check("batch", () =>
    assert.deepEqual(batch, [
      { jsonrpc: "2.0", id: 101, result: -42 },
      { jsonrpc: "2.0", id: "b", result: { x: [1, "two", null] } },
      {
        jsonrpc: "2.0",
        id: 103,
        error: {
          code: -32601,
          message: "method not found: rpc.nothing",
          data: { method: "rpc.nothing" },
        },
      },
      {
        jsonrpc: "2.0",
        id: 104,
        error: { code: -32000, message: "division by zero", data: { a: 9, b: 0 } },
      },
      { jsonrpc: "2.0", id: 105, result: "pong" },
    ]),
  );

  // Still usable after all that, and nothing unasked for arrived: one line per
  // single request (7) and one for the batch.
  const last = await client.request("ping");
  check("ping after", () => assert.equal(last, "pong"));
  check("lines received", () => assert.equal(received.length, 8, received.join("\n")));

  socket.end();
  console.log(`ok ${checks} checks`);
}

main().then(
  () => process.exit(0),
  (e) => {
    console.error(e && e.stack ? e.stack : String(e));
    console.error("lines received:\n" + received.join("\n"));
    process.exit(1);
  },
);
