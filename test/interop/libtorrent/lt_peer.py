"""A libtorrent (rasterbar, Debian's python3-libtorrent) peer for btd's interop tests, on 127.0.0.1 only.

    lt_peer.py info <file.torrent>                       one JSON line: what libtorrent reads in the file
    lt_peer.py seed <file.torrent> <dir>                 checks the data in <dir>, seeds; prints "seeding on port N"
    lt_peer.py download <file.torrent> <dir> [<ip:port>[,<ip:port>...]]
                                                         dials those peers (if any; the file's trackers are
                                                         announced to as well), downloads, prints "complete", exits 0
    lt_peer.py magnet <uri> <dir> [ip:port]              the same from a magnet link: its metadata first (from
                                                         the link's trackers, and the peer if given)
    lt_peer.py dht-seed <file.torrent> <dir> <ip:port>   as seed, with the DHT on and bootstrapped from that node only
    lt_peer.py dht-download <magnet> <dir> <ip:port>     a magnet link, peers from the DHT only (that bootstrap node)

"complete" is followed by a line "peers: <source> <n> ..." counting the peers it connected to by how it
learned of them (tracker, pex, incoming, manual), and a line "received: <n> from seeds, <m> from others"
(payload bytes, split by whether the sending peer had every piece when last polled, every 50 ms).
A seeder's upload is capped by BTD_LT_UPLOAD_RATE (bytes/s) when set, so a transfer lasts long enough
for peer exchange to matter. BTD_LT_PORT sets the port to listen on (default: any free one);
BTD_LT_HIGH_PERFORMANCE=1 starts from libtorrent's high_performance_seed() settings.

Local discovery, UPnP, NAT-PMP and uTP are off; the DHT is off except in the dht- modes, where its only
bootstrap node is the one given (127.0.0.1) and its IP restrictions are lifted so a loopback network
works; the peer to dial is given on the command line (trackers in the file are announced to as usual;
the tests keep them on 127.0.0.1). Seeding lasts until SIGTERM or SIGINT. Errors: one line on
stderr and exit status 1.
"""
import json
import os
import signal
import sys
import threading
import time

import libtorrent as lt

TIMEOUT_S = 90


def session(dht_bootstrap: str = '') -> lt.session:
    dht = {
        'enable_dht': True,
        # Set at construction, so the default routers are never looked up.
        'dht_bootstrap_nodes': dht_bootstrap,
        'dht_restrict_routing_ips': False,
        'dht_restrict_search_ips': False,
        'dht_ignore_dark_internet': False,
        'dht_prefer_verified_node_ids': False,
    } if dht_bootstrap else {'enable_dht': False, 'dht_bootstrap_nodes': ''}
    base = lt.high_performance_seed() if os.environ.get('BTD_LT_HIGH_PERFORMANCE') == '1' else {}
    ses = lt.session({
        **base,
        'listen_interfaces': f"127.0.0.1:{int(os.environ.get('BTD_LT_PORT', '0'))}",
        **dht,
        'enable_lsd': False,
        'enable_upnp': False,
        'enable_natpmp': False,
        'enable_incoming_utp': False,
        'enable_outgoing_utp': False,
        'allow_multiple_connections_per_ip': True,
        'alert_mask': lt.alert.category_t.error_notification | lt.alert.category_t.status_notification,
        'upload_rate_limit': int(os.environ.get('BTD_LT_UPLOAD_RATE', '0')),
    })
    # libtorrent exempts local peers from rate limits; put every address in the global class instead.
    everyone = lt.ip_filter()
    everyone.add_rule('0.0.0.0', '255.255.255.255', 1 << lt.session.global_peer_class_id)
    ses.set_peer_class_filter(everyone)
    return ses


def add(ses: lt.session, torrent: str, save_path: str) -> lt.torrent_handle:
    params = lt.add_torrent_params()
    params.ti = lt.torrent_info(torrent)
    params.save_path = save_path
    return ses.add_torrent(params)


# peer_info.source bits (libtorrent's peer_source_flags); incoming is not exported to Python.
SOURCES = (('tracker', 0x1), ('pex', 0x4), ('incoming', 0x20))
met = {}
# Per connection: payload bytes received as last polled; totals split by whether the sender was a seed.
seen_down = {}
received = {'seeds': 0, 'others': 0}


def note_peers(handle: lt.torrent_handle) -> None:
    """Remembers every peer connected so far with how libtorrent learned of it, and what it sent."""
    for p in handle.get_peer_info():
        key = f'{p.ip[0]}:{p.ip[1]}'
        names = [name for name, flag in SOURCES if p.source & flag]
        met[key] = names[0] if names else 'manual'
        before = seen_down.get(key, 0)
        # A lower total is a new connection from the same address.
        received['seeds' if p.flags & lt.peer_info.seed else 'others'] += p.total_download - (before if p.total_download >= before else 0)
        seen_down[key] = p.total_download


def received_line() -> str:
    return f"received: {received['seeds']} from seeds, {received['others']} from others"


def peers_line() -> str:
    counts = {}
    for source in met.values():
        counts[source] = counts.get(source, 0) + 1
    return 'peers: ' + ' '.join(f'{k} {v}' for k, v in sorted(counts.items()))


def wait_for(handle: lt.torrent_handle, ses: lt.session, done) -> lt.torrent_status:
    deadline = time.monotonic() + TIMEOUT_S
    while time.monotonic() < deadline:
        for a in ses.pop_alerts():
            if isinstance(a, (lt.torrent_error_alert, lt.file_error_alert)):
                raise RuntimeError(a.message())
        note_peers(handle)
        st = handle.status()
        if done(st):
            return st
        time.sleep(0.05)
    st = handle.status()
    raise RuntimeError(f'timed out: state {st.state}, progress {st.progress:.3f}, peers {st.num_peers}')


def info(torrent: str) -> None:
    ti = lt.torrent_info(torrent)
    files = ti.files()
    print(json.dumps({
        'name': ti.name(),
        'infoHash': str(ti.info_hash()),
        'pieceLength': ti.piece_length(),
        'pieces': ti.num_pieces(),
        'totalSize': ti.total_size(),
        'private': ti.priv(),
        'files': [{'path': files.file_path(i), 'size': files.file_size(i)} for i in range(files.num_files())],
        'trackers': [t.url for t in ti.trackers()],
    }))


def seed(torrent: str, save_path: str, dht_bootstrap: str = '') -> None:
    ses = session(dht_bootstrap)
    handle = add(ses, torrent, save_path)
    wait_for(handle, ses, lambda st: st.is_seeding)
    if dht_bootstrap:
        handle.force_dht_announce()
    print(f'seeding on port {ses.listen_port()}', flush=True)
    stop = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: stop.set())
    signal.signal(signal.SIGINT, lambda *_: stop.set())
    announced = time.monotonic()
    while not stop.wait(0.2):
        if dht_bootstrap and time.monotonic() - announced > 2:
            handle.force_dht_announce()  # until the btd side has found us; cheap on a loopback network
            announced = time.monotonic()
        for a in ses.pop_alerts():
            if isinstance(a, (lt.torrent_error_alert, lt.file_error_alert)):
                print(a.message(), file=sys.stderr, flush=True)


def download(torrent: str, save_path: str, peers: str = '') -> None:
    ses = session()
    handle = add(ses, torrent, save_path)
    wait_for(handle, ses, lambda st: st.state not in (lt.torrent_status.checking_files, lt.torrent_status.checking_resume_data))
    for peer in filter(None, peers.split(',')):
        host, port = peer.rsplit(':', 1)
        handle.connect_peer((host, int(port)))
    st = wait_for(handle, ses, lambda st: st.is_seeding)
    print(f'complete: {st.total_wanted_done} bytes', flush=True)
    print(peers_line(), flush=True)
    print(received_line(), flush=True)


def magnet(uri: str, save_path: str, peer: str = '') -> None:
    ses = session()
    params = lt.parse_magnet_uri(uri)
    params.save_path = save_path
    handle = ses.add_torrent(params)
    if peer:
        host, port = peer.rsplit(':', 1)
        handle.connect_peer((host, int(port)))
    wait_for(handle, ses, lambda st: st.has_metadata)
    print(f'metadata: {handle.torrent_file().name()}', flush=True)
    st = wait_for(handle, ses, lambda st: st.is_seeding)
    print(f'complete: {st.total_wanted_done} bytes', flush=True)
    print(peers_line(), flush=True)


def dht_download(magnet: str, save_path: str, dht_bootstrap: str) -> None:
    ses = session(dht_bootstrap)
    params = lt.parse_magnet_uri(magnet)
    params.save_path = save_path
    handle = ses.add_torrent(params)
    st = wait_for(handle, ses, lambda st: st.is_seeding)
    print(f'complete: {st.total_wanted_done} bytes', flush=True)


def main(argv: list) -> int:
    try:
        if len(argv) == 2 and argv[0] == 'info':
            info(argv[1])
        elif len(argv) == 3 and argv[0] == 'seed':
            seed(argv[1], argv[2])
        elif len(argv) in (3, 4) and argv[0] == 'download':
            download(*argv[1:])
        elif len(argv) in (3, 4) and argv[0] == 'magnet':
            magnet(*argv[1:])
        elif len(argv) == 4 and argv[0] == 'dht-seed':
            seed(argv[1], argv[2], argv[3])
        elif len(argv) == 4 and argv[0] == 'dht-download':
            dht_download(argv[1], argv[2], argv[3])
        else:
            print(__doc__, file=sys.stderr)
            return 2
        return 0
    except Exception as err:  # one line for the test's assertion message, never a traceback
        print(f'lt_peer: {err}', file=sys.stderr, flush=True)
        return 1


if __name__ == '__main__':
    sys.exit(main(sys.argv[1:]))
