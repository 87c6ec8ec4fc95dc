// A newline-delimited JSON-RPC 2.0 server over a Unix socket, written the way
// the seeds write one: a goroutine per connection, bufio line reading and
// encoding/json, with the seeds' fixes applied (defer c.Close(), stale socket
// removed at start). It is the baseline for `ipc-client bench`; see
// bench/ipc-bench.sh and docs/benchmarks.md.
package main

import (
	"bufio"
	"encoding/json"
	"errors"
	"flag"
	"io"
	"log"
	"net"
	"os"
	"os/signal"
	"syscall"
	"time"
)

type Request struct {
	JSONRPC string          `json:"jsonrpc"`
	Method  string          `json:"method"`
	Params  json.RawMessage `json:"params,omitempty"`
	ID      json.RawMessage `json:"id,omitempty"`
}

type RPCError struct {
	Code    int    `json:"code"`
	Message string `json:"message"`
}

type Response struct {
	JSONRPC string          `json:"jsonrpc"`
	Result  interface{}     `json:"result,omitempty"`
	Error   *RPCError       `json:"error,omitempty"`
	ID      json.RawMessage `json:"id"`
}

type Args struct {
	A int64 `json:"a"`
	B int64 `json:"b"`
}

type Quotient struct {
	Quo int64 `json:"quo"`
	Rem int64 `json:"rem"`
}

var started = time.Now()

func dispatch(req *Request) (interface{}, *RPCError) {
	switch req.Method {
	case "ping":
		return "pong", nil
	case "echo":
		var v interface{}
		if len(req.Params) > 0 {
			if err := json.Unmarshal(req.Params, &v); err != nil {
				return nil, &RPCError{-32602, err.Error()}
			}
		}
		return v, nil
	case "time":
		return map[string]interface{}{"rfc3339": time.Now().UTC().Format(time.RFC3339Nano)}, nil
	case "arith.multiply", "arith.divide":
		var args Args
		if err := json.Unmarshal(req.Params, &args); err != nil {
			return nil, &RPCError{-32602, "invalid params: " + err.Error()}
		}
		if req.Method == "arith.multiply" {
			return args.A * args.B, nil
		}
		if args.B == 0 {
			return nil, &RPCError{-32000, "division by zero"}
		}
		return Quotient{args.A / args.B, args.A % args.B}, nil
	case "server.info":
		return map[string]interface{}{"pid": os.Getpid(), "uptime_secs": time.Since(started).Seconds()}, nil
	}
	return nil, &RPCError{-32601, "method not found: " + req.Method}
}

func handleConn(c net.Conn) {
	defer c.Close()
	r := bufio.NewReader(c)
	enc := json.NewEncoder(c)
	for {
		line, err := r.ReadBytes('\n')
		if len(line) > 0 {
			var req Request
			resp := Response{JSONRPC: "2.0", ID: json.RawMessage("null")}
			if jerr := json.Unmarshal(line, &req); jerr != nil {
				resp.Error = &RPCError{-32700, "parse error: " + jerr.Error()}
			} else {
				if len(req.ID) > 0 {
					resp.ID = req.ID
				}
				resp.Result, resp.Error = dispatch(&req)
			}
			if werr := enc.Encode(&resp); werr != nil {
				log.Println("write error:", werr)
				return
			}
		}
		if err != nil {
			if !errors.Is(err, io.EOF) {
				log.Println("read error:", err)
			}
			return
		}
	}
}

func main() {
	addr := flag.String("listen", "/tmp/go-ipc.sock", "Unix socket path")
	flag.Parse()
	if err := os.RemoveAll(*addr); err != nil {
		log.Fatal("remove old socket: ", err)
	}
	l, err := net.Listen("unix", *addr)
	if err != nil {
		log.Fatalf("listen: %v", err)
	}
	sig := make(chan os.Signal, 1)
	signal.Notify(sig, syscall.SIGTERM, syscall.SIGINT)
	go func() {
		<-sig
		l.Close() // also removes the socket file
		os.Exit(0)
	}()
	log.Printf("listening on unix:%s", *addr)
	for {
		c, err := l.Accept()
		if err != nil {
			log.Println("accept error:", err)
			time.Sleep(10 * time.Millisecond)
			continue
		}
		go handleConn(c)
	}
}
