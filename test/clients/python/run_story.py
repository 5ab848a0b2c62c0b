#!/usr/bin/env python3
"""A btd client in Python 3 standard library only: Content-Length framing by hand, JSON-RPC 2.0.

Runs the protocol story against two real daemons (`node bin/btd.js --rpc stdio`): start a tracker,
create a torrent with progress, seed it, download it in a second daemon until complete, list peers,
check error answers, shut both down. Assumes `npm run build` has run. Prints one line per check and a
closing `N passed, M failed`; exits non-zero on any failure.
"""
import base64
import json
import os
import queue
import shutil
import subprocess
import sys
import tempfile
import threading
import time

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__)))))
BTD = os.path.join(ROOT, "bin", "btd.js")
TIMEOUT = 60.0


class RpcError(Exception):
    def __init__(self, error):
        super().__init__(error.get("message"))
        self.code = error.get("code")
        self.data = error.get("data")


class Daemon:
    """One `btd --rpc stdio` process and a reader thread that sorts responses from notifications."""

    def __init__(self, state_dir):
        self.proc = subprocess.Popen(
            ["node", BTD, "--rpc", "stdio", "--state-dir", state_dir, "--listen-host", "127.0.0.1"],
            stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL,
        )
        self.next_id = 0
        self.responses = {}
        self.notifications = queue.Queue()
        self.cond = threading.Condition()
        threading.Thread(target=self._read, daemon=True).start()

    def _read(self):
        out = self.proc.stdout
        while True:
            length = None
            while True:
                line = out.readline()
                if not line:
                    return
                line = line.decode("ascii").strip()
                if line == "":
                    break
                name, _, value = line.partition(":")
                if name.lower() == "content-length":
                    length = int(value.strip())
            body = json.loads(out.read(length).decode("utf-8"))
            if "id" in body and "method" not in body:
                with self.cond:
                    self.responses[body["id"]] = body
                    self.cond.notify_all()
            else:
                self.notifications.put(body)

    def send_raw(self, body):
        data = body.encode("utf-8")
        self.proc.stdin.write(b"Content-Length: %d\r\n\r\n" % len(data) + data)
        self.proc.stdin.flush()

    def send(self, message):
        self.send_raw(json.dumps(message))

    def notify(self, method, params=None):
        msg = {"jsonrpc": "2.0", "method": method}
        if params is not None:
            msg["params"] = params
        self.send(msg)

    def wait_response(self, rid):
        deadline = time.monotonic() + TIMEOUT
        with self.cond:
            while rid not in self.responses:
                left = deadline - time.monotonic()
                if left <= 0:
                    raise TimeoutError("no response to request %r" % rid)
                self.cond.wait(left)
            return self.responses.pop(rid)

    def request(self, method, params=None):
        self.next_id += 1
        msg = {"jsonrpc": "2.0", "id": self.next_id, "method": method}
        if params is not None:
            msg["params"] = params
        self.send(msg)
        reply = self.wait_response(self.next_id)
        if "error" in reply:
            raise RpcError(reply["error"])
        return reply["result"]

    def wait_notification(self, match):
        deadline = time.monotonic() + TIMEOUT
        while True:
            left = deadline - time.monotonic()
            if left <= 0:
                raise TimeoutError("notification not received")
            note = self.notifications.get(timeout=left)
            if match(note):
                return note

    def initialize(self, download_dir):
        result = self.request("initialize", {
            "processId": os.getpid(), "clientInfo": {"name": "run_story.py"}, "capabilities": {},
            "initializationOptions": {"downloadDir": download_dir, "port": 0},
        })
        self.notify("initialized", {})
        return result

    def stop(self):
        self.request("shutdown")
        self.notify("exit")
        return self.proc.wait(timeout=TIMEOUT)

    def kill(self):
        if self.proc.poll() is None:
            self.proc.kill()
            self.proc.wait()


def error_code(fn):
    try:
        fn()
    except RpcError as e:
        return e.code
    return None


def main():
    passed, failed = 0, 0
    tmp = tempfile.mkdtemp(prefix="btd-python-story-")
    daemons = []

    def check(name, condition):
        nonlocal passed, failed
        if condition:
            passed += 1
            print("ok - " + name)
        else:
            failed += 1
            print("FAIL - " + name)

    try:
        data = os.path.join(tmp, "seed", "notes")
        os.makedirs(os.path.join(data, "sub"))
        files = {"sub/a.txt": os.urandom(300000), "b.txt": os.urandom(123457)}
        for name, content in files.items():
            with open(os.path.join(data, name), "wb") as f:
                f.write(content)

        seeder = Daemon(os.path.join(tmp, "state-a"))
        daemons.append(seeder)
        init = seeder.initialize(os.path.join(tmp, "dl-a"))
        check("initialize names the server", init["serverInfo"]["name"] == "btd" and init["protocolVersion"] == 1)

        tracker = seeder.request("tracker/start", {"host": "127.0.0.1", "port": 0})
        check("tracker/start returns an announce URL", tracker["url"].startswith("http://127.0.0.1:"))

        created = seeder.request("torrent/create", {
            "path": data, "trackers": [tracker["url"]], "pieceLength": 16384, "workDoneToken": "py-1",
        })
        kinds = []
        while not seeder.notifications.empty():
            note = seeder.notifications.get()
            if note["method"] == "$/progress" and note["params"]["token"] == "py-1":
                kinds.append(note["params"]["value"]["kind"])
        check("torrent/create reports progress begin..end", kinds[:1] == ["begin"] and kinds[-1:] == ["end"] and "report" in kinds)
        torrent = {"base64": created["base64"]}
        check("torrent/create result", created["name"] == "notes" and created["totalLength"] == 423457)

        seeded = seeder.request("torrent/seed", {"torrent": torrent, "dataPath": data})
        if seeded["state"] != "seeding":
            seeder.wait_notification(lambda n: n["method"] == "torrent/stateChanged" and n["params"]["state"] == "seeding")
        check("torrent/seed reaches seeding", True)

        leecher = Daemon(os.path.join(tmp, "state-b"))
        daemons.append(leecher)
        leecher.initialize(os.path.join(tmp, "dl-b"))
        added = leecher.request("torrent/add", {"torrent": torrent})
        check("torrent/add in a second daemon", added["infoHash"] == created["infoHash"])
        progress_seen = 0
        while True:
            note = leecher.wait_notification(lambda n: n["method"] in ("torrent/progress", "torrent/stateChanged"))
            if note["method"] == "torrent/progress":
                progress_seen += 1
            if note["method"] == "torrent/stateChanged" and note["params"]["state"] == "seeding":
                break
        check("progress notifications until complete (%d seen)" % progress_seen, progress_seen > 0)
        same = all(open(os.path.join(tmp, "dl-b", "notes", n), "rb").read() == c for n, c in files.items())
        check("downloaded files match", same)
        details = leecher.request("torrent/get", {"infoHash": created["infoHash"]})
        check("torrent/get gives the magnet torrent/create made", details["magnet"] == created["magnet"])

        def state_note(state):
            return lambda n: n["method"] == "torrent/stateChanged" and n["params"]["infoHash"] == created["infoHash"] and n["params"]["state"] == state
        verifying = leecher.request("torrent/verify", {"infoHash": created["infoHash"]})
        leecher.wait_notification(state_note("checking"))
        after = leecher.wait_notification(state_note("seeding"))["params"]["torrent"]
        check("torrent/verify checks the download and it seeds again", verifying["state"] == "checking" and after["progress"] == 1)
        peers = leecher.request("peer/list", {"infoHash": created["infoHash"]})
        check("peer/list answers a list", isinstance(peers["peers"], list))
        listed = leecher.request("torrent/list")["torrents"]
        check("torrent/list shows it complete", [t["progress"] for t in listed] == [1])

        leecher.send_raw('{"jsonrpc":"2.0","id":99,"method":')
        bad = leecher.wait_response(None)  # a parse error is answered with id null
        check("bad JSON gets -32700", bad["error"]["code"] == -32700)
        check("unknown method gets -32601", error_code(lambda: leecher.request("torrent/fly")) == -32601)
        check("bad params get -32602", error_code(lambda: leecher.request("torrent/get", {"infoHash": "nope"})) == -32602)
        check("unknown torrent gets -32900", error_code(lambda: leecher.request("torrent/pause", {"infoHash": "0" * 40})) == -32900)
        check("still serving after errors", len(leecher.request("torrent/list")["torrents"]) == 1)

        check("leecher shuts down with 0", leecher.stop() == 0)
        seeder.request("tracker/stop")
        check("seeder shuts down with 0", seeder.stop() == 0)
    except Exception as e:  # a crash of the story is a failure, reported like one
        failed += 1
        print("FAIL - story stopped: %r" % (e,))
    finally:
        for d in daemons:
            d.kill()
        shutil.rmtree(tmp, ignore_errors=True)
    print("%d passed, %d failed" % (passed, failed))
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
