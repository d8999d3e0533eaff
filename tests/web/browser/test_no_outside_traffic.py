"""The test browser stays on the machine: Chromium, launched with the shared arguments of
scripts/chromium.flags, is run under ``strace -f`` while it logs in to the workbench (served for real
on 127.0.0.1) and shows the board; every ``connect``/``sendto``/``sendmsg``/``sendmmsg`` of every one of
its processes is read back, and any inet/inet6 address outside 127.0.0.0/8 and ::1 fails the test.

What counts as leaving the machine (``scan``):

* a TCP connect to an outside address (it sends a SYN), whatever its result;
* any connect to port 53 of an outside address (the resolver: no lookup may leave the browser);
* a send whose destination (the address given, or the peer strace shows for the socket) is outside,
  or an inet send whose destination cannot be told at all (fail closed);
* 0.0.0.0 and :: count as outside: the browser has no business with them.

What does not: unix and netlink sockets, and a UDP ``connect`` to an outside address on another port
with nothing sent on that socket. Chromium's host resolver makes one of these before its first
resolution (even of 127.0.0.1): it connects a UDP socket to 2001:4860:4860::8888:443 to learn whether
IPv6 has a route. A UDP connect only sets the socket's default peer and looks up a route in the
kernel; no packet is written, and no launch argument turns it off. The test lists these probes in its
output and fails if anything is sent on such a socket."""

from __future__ import annotations

import ipaddress
import os
import re
import shutil
import stat
import subprocess
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
from browser_support import CHROMIUM, FLAGS_FILE, LiveServer, chromium_args, require, skip_or_fail
from web_support import PASSWORD

ROOT = Path(__file__).resolve().parents[3]
STRACE = shutil.which("strace") or "/usr/bin/strace"
CALL = re.compile(r"^\d+\s+(?P<call>connect|sendto|sendmsg|sendmmsg)\((?P<fd>\d+)(?:<(?P<sock>[^<>\[]*(?:\[.*?\])?)>)?")
IPV4 = re.compile(r'sin_port=htons\((?P<port>\d+)\), sin_addr=inet_addr\("(?P<addr>[^"]+)"\)')
IPV6 = re.compile(r'sin6_port=htons\((?P<port>\d+)\),[^}]*?inet_pton\(AF_INET6, "(?P<addr>[^"]+)"')
INET = ("TCP", "UDP", "TCPv6", "UDPv6")
LAUNCH = re.compile(r"\.chromium\.launch\(")


@dataclass
class Report:
    """What a trace shows: lines that left the machine, tolerated route probes, loopback traffic."""

    outside: list[str] = field(default_factory=list)
    probes: list[str] = field(default_factory=list)
    loopback: list[str] = field(default_factory=list)


def is_loopback(address: str) -> bool:
    """127.0.0.0/8, ::1 and ::ffff:127.x; anything unparsable is not."""
    try:
        ip = ipaddress.ip_address(address.strip("[]"))
    except ValueError:
        return False
    mapped = getattr(ip, "ipv4_mapped", None)
    return bool(ip.is_loopback or (mapped is not None and mapped.is_loopback))


def sockaddrs(line: str) -> list[tuple[str, int]]:
    """The inet/inet6 addresses (with ports) written out in a traced call: connect's or send's target."""
    found = [(m["addr"], int(m["port"])) for m in IPV4.finditer(line)]
    return found + [(m["addr"], int(m["port"])) for m in IPV6.finditer(line)]


def split_endpoint(text: str) -> tuple[str, int]:
    """``127.0.0.1:80`` or ``[::1]:80`` as (address, port)."""
    address, _, port = text.rpartition(":")
    return address.strip("[]"), int(port) if port.isdigit() else 0


def socket_info(sock: str | None) -> tuple[str, str | None, str | None, str | None]:
    """strace -yy's socket note (``TCP:[a:p->b:q]``, ``UDP:[a:p]``, ``UDPv6:[inode]``):
    (protocol, local address, peer address, inode), each part None where not shown."""
    if not sock or ":[" not in sock:
        return (sock or ""), None, None, None
    proto, _, inner = sock.partition(":[")
    inner = inner[:-1] if inner.endswith("]") else inner
    if "->" in inner:
        local, _, peer = inner.partition("->")
        return proto, split_endpoint(local)[0], split_endpoint(peer)[0], None
    if inner.isdigit():
        return proto, None, None, inner
    return proto, split_endpoint(inner)[0], None, None


def classify_connect(line: str, proto: str, inode: str | None, report: Report, peers: dict[str, str]) -> None:
    """A connect: loopback, a tolerated UDP route probe, or outside."""
    for address, port in sockaddrs(line):
        if inode:
            peers[inode] = address
        if is_loopback(address):
            report.loopback.append(line)
        elif proto.startswith("UDP") and port != 53:
            report.probes.append(line)
        else:
            report.outside.append(line)


def classify_send(line: str, proto: str, sock: tuple[str | None, str | None, str | None], report: Report,
                  peers: dict[str, str]) -> None:
    """A send: its target is the address in the call, else the socket's peer; unknown fails closed."""
    local, peer, inode = sock
    targets = [address for address, _ in sockaddrs(line)] + ([peer] if peer else [])
    if not targets and inode in peers:
        targets = [peers[inode]]
    if not targets and local is not None and is_loopback(local):
        targets = [local]  # a socket bound to loopback cannot reach anything else
    if not targets:
        report.outside.append(f"{line}  (an inet send whose destination the trace does not show)")
    elif all(is_loopback(address) for address in targets):
        report.loopback.append(line)
    else:
        report.outside.append(line)


def scan(trace: str) -> Report:
    """Read ``strace -f -yy -e trace=connect,sendto,sendmsg,sendmmsg`` output."""
    report, peers = Report(), {}
    for line in trace.splitlines():
        match = CALL.match(line)
        if not match:
            continue  # "<... resumed>" halves, signals, exits
        proto, local, peer, inode = socket_info(match["sock"])
        inet = proto in INET or (not proto and bool(sockaddrs(line)))
        if not inet:
            continue  # unix, netlink
        if match["call"] == "connect":
            classify_connect(line, proto, inode, report, peers)
        else:
            classify_send(line, proto, (local, peer, inode), report, peers)
    return report


HERE = Path(__file__).resolve().parent
# Each kind of line that leaves the machine: the first three are from a trace of Chromium with the
# arguments the tests used before (its resolver's connect, a lookup, a batch of lookups); a TCP
# connect and a sendmsg to an address given in the call complete the forms …
PLAIN_FLAGS_TRACE = (HERE / "strace_plain_flags.txt").read_text(encoding="utf-8")
# … and with scripts/chromium.flags, plus the unix and netlink traffic every run has.
HARDENED_TRACE = (HERE / "strace_hardened.txt").read_text(encoding="utf-8")


def test_the_scan_finds_every_kind_of_outside_traffic() -> None:
    report = scan(PLAIN_FLAGS_TRACE)
    assert len(report.outside) == 5, report.outside  # resolver connect, lookup, sendmmsg, TCP 443, sendmsg to 8.8.8.8
    assert [line.endswith("does not show)") for line in report.outside] == [False, True, False, False, False]
    assert not report.probes


def test_the_scan_passes_loopback_unix_netlink_and_a_route_probe() -> None:
    report = scan(HARDENED_TRACE)
    assert report.outside == []
    assert len(report.probes) == 1 and "2001:4860:4860::8888" in report.probes[0]
    assert len(report.loopback) == 4


def test_a_send_on_a_probed_socket_or_to_nowhere_known_counts_as_outside() -> None:
    probe = HARDENED_TRACE.splitlines()[0]
    send = '10089 sendto(24<UDPv6:[25722]>, "x", 1, 0, NULL, 0) = 1'
    blind = '10089 sendto(30<UDP:[0.0.0.0:4000]>, "x", 1, 0, NULL, 0) = 1'
    wildcard = ('10089 connect(31<TCP:[1]>, {sa_family=AF_INET, sin_port=htons(80), sin_addr=inet_addr("0.0.0.0")}, 16)'
                ' = 0')
    assert len(scan("\n".join([probe, send, blind, wildcard])).outside) == 3


def test_every_launch_of_chromium_uses_the_one_list_of_arguments() -> None:
    args = chromium_args()
    assert "--host-resolver-rules=MAP * ~NOTFOUND, EXCLUDE 127.0.0.1, EXCLUDE localhost" in args
    assert {"--no-proxy-server", "--disable-background-networking", "--disable-component-update"} <= set(args)
    assert len([a for a in args if a.startswith("--disable-features=")]) == 1  # Chromium keeps only the last
    launches = [(path, match.end()) for folder in ("src", "tests", "bench", "eval", "scripts")
                for path in (ROOT / folder).rglob("*.py")
                for match in LAUNCH.finditer(path.read_text(encoding="utf-8"))]
    assert {path.name for path, _ in launches} >= {"conftest.py", "web_weight.py", "test_no_outside_traffic.py"}
    for path, end in launches:  # each launch passes the shared list, read from scripts/chromium.flags
        text = path.read_text(encoding="utf-8")
        assert "args=chromium_args()" in text[end:end + 200] and FLAGS_FILE.name in text, path


def can_trace(strace: str) -> None:
    """Skip where this machine forbids tracing (no ptrace in the container); fail so under CI=true."""
    done = subprocess.run([strace, "-f", "-o", os.devnull, "-e", "trace=connect", "true"], capture_output=True,
                          text=True, timeout=60)
    if done.returncode != 0:
        skip_or_fail(f"strace cannot trace here: {done.stderr.strip()[:200]}")


def traced_chromium(folder: Path, trace: Path) -> Path:
    """An executable that runs Chromium under strace (every process, every socket call, sockets decoded)."""
    wrapper = folder / "chromium-traced"
    wrapper.write_text(f'#!/bin/sh\nexec "{STRACE}" -f -yy --seccomp-bpf -e trace=connect,sendto,sendmsg,sendmmsg '
                       f'-o "{trace}" "{CHROMIUM}" "$@"\n', encoding="utf-8")
    wrapper.chmod(wrapper.stat().st_mode | stat.S_IXUSR)
    return wrapper


def browse(browser: Any, live_server: LiveServer) -> None:
    """Log in as the viewer and stay on the board a few seconds (it polls; background services wake)."""
    page = browser.new_page(base_url=live_server.url)
    page.goto("/login")
    page.fill('input[name="name"]', "viewer")
    page.fill('input[name="password"]', PASSWORD.format(role="viewer"))
    page.click('form[action="/login"] button[type="submit"]')
    page.wait_for_url(re.compile(r"/(\?.*)?$"))
    page.wait_for_load_state("networkidle")
    time.sleep(4)
    page.close()


@pytest.mark.browser
@pytest.mark.slow
def test_the_test_browser_sends_nothing_off_the_machine(playwright_driver: Any, live_server: LiveServer,
                                                         tmp_path: Path) -> None:
    require(STRACE, "strace (scripts/chromium.sh installs it)")
    can_trace(STRACE)
    trace = tmp_path / "chromium.strace"
    browser = playwright_driver.chromium.launch(executable_path=str(traced_chromium(tmp_path, trace)),
                                                headless=True, args=chromium_args())
    try:
        browse(browser, live_server)
    finally:
        browser.close()
    report = scan(trace.read_text(encoding="utf-8", errors="replace"))
    port = live_server.url.rsplit(":", 1)[1]
    assert any(f"htons({port})" in line for line in report.loopback), "the trace missed the page load"
    for line in report.probes:
        print(f"UDP route probe, nothing sent: {line}")
    assert report.outside == [], "Chromium reached outside the machine:\n" + "\n".join(report.outside[:20])
