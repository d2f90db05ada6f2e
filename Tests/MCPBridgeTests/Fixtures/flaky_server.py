#!/usr/bin/env python3
"""A misbehaving MCP server for Loupe's plugin tests (stdio, one JSON-RPC message per line).

Tools: echo (answers), sleep (hangs for `seconds`), crash (exits with status 3 mid-call),
garbage (writes a line that is not JSON), fail (answers with isError), big (answers with `bytes` characters).
With --extra-tools N it lists N more tools (t0, t1, …), as a plugin with thousands of tools would; with
--stderr-flood it writes to stderr without end from the start.
"""
import json
import sys
import threading
import time

TOOLS = [
    {"name": "echo", "description": "Repeat the text.", "inputSchema": {
        "type": "object", "properties": {"text": {"type": "string"}}, "required": ["text"]}},
    {"name": "sleep", "description": "Wait, then answer.", "inputSchema": {
        "type": "object", "properties": {"seconds": {"type": "number"}}, "required": ["seconds"]}},
    {"name": "crash", "description": "Exit mid-call.", "inputSchema": {"type": "object", "properties": {}}},
    {"name": "garbage", "description": "Write a non-JSON line.", "inputSchema": {"type": "object", "properties": {}}},
    {"name": "fail", "description": "Answer with isError.", "inputSchema": {"type": "object", "properties": {}}},
    {"name": "big", "description": "Answer with a long text.", "inputSchema": {
        "type": "object", "properties": {"bytes": {"type": "integer"}}, "required": ["bytes"]}},
]
if "--extra-tools" in sys.argv:
    for i in range(int(sys.argv[sys.argv.index("--extra-tools") + 1])):
        TOOLS.append({"name": "t%d" % i, "description": "Extra tool %d." % i, "inputSchema": {"type": "object", "properties": {}}})

if "--stderr-flood" in sys.argv:
    def flood():
        line = "flaky: " + "noise " * 150 + "\n"
        while True:
            sys.stderr.write(line)
    threading.Thread(target=flood, daemon=True).start()


def send(message):
    sys.stdout.write(json.dumps(message) + "\n")
    sys.stdout.flush()


for line in sys.stdin:
    request = json.loads(line)
    method, rid, params = request.get("method"), request.get("id"), request.get("params") or {}
    if rid is None:
        continue  # a notification
    if method == "initialize":
        send({"jsonrpc": "2.0", "id": rid, "result": {
            "protocolVersion": params.get("protocolVersion", "2025-06-18"),
            "capabilities": {"tools": {}}, "serverInfo": {"name": "flaky", "version": "1"}}})
    elif method == "tools/list":
        send({"jsonrpc": "2.0", "id": rid, "result": {"tools": TOOLS}})
    elif method == "tools/call":
        name, args = params.get("name"), params.get("arguments") or {}
        if name == "echo":
            text = "echo: " + args.get("text", "")
            send({"jsonrpc": "2.0", "id": rid, "result": {"content": [{"type": "text", "text": text}]}})
        elif name == "sleep":
            time.sleep(float(args.get("seconds", 0)))
            send({"jsonrpc": "2.0", "id": rid, "result": {"content": [{"type": "text", "text": "slept"}]}})
        elif name == "crash":
            sys.stderr.write("flaky: crashing on purpose\n")
            sys.stderr.flush()
            sys.exit(3)
        elif name == "garbage":
            sys.stdout.write("this is not JSON\n")
            sys.stdout.flush()
        elif name == "big":
            send({"jsonrpc": "2.0", "id": rid, "result": {"content": [{"type": "text", "text": "x" * int(args.get("bytes", 0))}]}})
        elif name == "fail":
            send({"jsonrpc": "2.0", "id": rid, "result": {
                "content": [{"type": "text", "text": "the tool could not do it"}], "isError": True}})
        else:
            send({"jsonrpc": "2.0", "id": rid, "error": {"code": -32602, "message": "unknown tool " + str(name)}})
    else:
        send({"jsonrpc": "2.0", "id": rid, "error": {"code": -32601, "message": "no method " + str(method)}})
