"""Who may use the pages: sessions, the CSRF rule, the Origin check, the served host names, sign-in throttling.

- A session is a random id (``secrets.token_urlsafe(32)``) in an HttpOnly,
  SameSite=Strict cookie, kept only in the server's memory; it expires after
  :data:`SESSION_IDLE` without a page, or :data:`SESSION_LIFETIME` after it
  began, and ends with the sign-out. The cookie is named with the
  ``__Host-`` prefix (Secure, Path=/, no Domain) when the page is served
  over https; a browser refuses such a cookie over plain http.
- Each session has its own CSRF token, put in every form: a post is taken
  only with the token of the session its cookie names. Cookies are shared
  between the ports of one host, so a page served on another port of
  127.0.0.1 could plant a cookie; the post's ``Origin`` (else ``Referer``)
  must therefore be this server's own origin too.
- :class:`Throttle`: at most :data:`SIGN_IN_TRIES` wrong passwords per
  address in :data:`SIGN_IN_WINDOW` seconds (and :data:`SIGN_IN_TRIES_ALL`
  from all addresses together); then every try, right or wrong, waits.
"""

from __future__ import annotations

import collections
import hmac
import secrets
import socket
import threading
import time
from collections.abc import Iterable
from dataclasses import dataclass, field
from urllib.parse import urlsplit

__all__ = [
    "LOCAL_HOSTS",
    "SESSION_IDLE",
    "SESSION_LIFETIME",
    "Session",
    "Sessions",
    "Throttle",
    "host_name",
    "same_origin",
    "served_names",
]

LOCAL_HOSTS = ("127.0.0.1", "localhost", "::1")
SESSION_IDLE = 4 * 3600.0
SESSION_LIFETIME = 12 * 3600.0
MAX_SESSIONS = 5000
SIGN_IN_TRIES = 5
SIGN_IN_TRIES_ALL = 30
SIGN_IN_WINDOW = 600.0


@dataclass
class Session:
    id: str
    csrf: str
    started: float
    seen: float
    signed_in: bool = False


@dataclass
class Sessions:
    """The live sessions of this server (memory only: a restart signs everyone out)."""

    idle: float = SESSION_IDLE
    lifetime: float = SESSION_LIFETIME
    limit: int = MAX_SESSIONS
    clock: collections.abc.Callable[[], float] = time.monotonic
    _live: collections.OrderedDict[str, Session] = field(default_factory=collections.OrderedDict)
    _lock: threading.Lock = field(default_factory=threading.Lock)

    def new(self, signed_in: bool = False) -> Session:
        now = self.clock()
        session = Session(secrets.token_urlsafe(32), secrets.token_urlsafe(32), now, now, signed_in)
        with self._lock:
            self._live[session.id] = session
            if len(self._live) > self.limit:
                # a flood of visits drops the oldest visitors first, never a signed-in clerk while there are any
                anonymous = [k for k, v in self._live.items() if not v.signed_in]
                for key in anonymous[: len(self._live) - self.limit] or [next(iter(self._live))]:
                    del self._live[key]
        return session

    def get(self, session_id: str | None) -> Session | None:
        """The live session ``session_id`` names (its last use now), or None (unknown or expired)."""
        if not session_id:
            return None
        now = self.clock()
        with self._lock:
            session = self._live.get(session_id)
            if session is None:
                return None
            if now - session.seen > self.idle or now - session.started > self.lifetime:
                del self._live[session_id]
                return None
            session.seen = now
            self._live.move_to_end(session_id)
            return session

    def end(self, session_id: str | None) -> None:
        with self._lock:
            self._live.pop(session_id or "", None)


class Throttle:
    """Failed sign-ins per address within a sliding window."""

    def __init__(
        self,
        tries: int = SIGN_IN_TRIES,
        tries_all: int = SIGN_IN_TRIES_ALL,
        window: float = SIGN_IN_WINDOW,
        clock: collections.abc.Callable[[], float] = time.monotonic,
    ) -> None:
        self.tries, self.tries_all, self.window, self.clock = tries, tries_all, window, clock
        self._failed: dict[str, collections.deque[float]] = {}
        self._all: collections.deque[float] = collections.deque()
        self._lock = threading.Lock()

    def _trim(self, times: collections.deque[float], now: float) -> None:
        while times and now - times[0] > self.window:
            times.popleft()

    def wait(self, address: str) -> int:
        """Seconds before ``address`` may try again (0: it may try now)."""
        now = self.clock()
        with self._lock:
            mine = self._failed.get(address, collections.deque())
            self._trim(mine, now)
            self._trim(self._all, now)
            waits = []
            if len(mine) >= self.tries:
                waits.append(self.window - (now - mine[0]))
            if len(self._all) >= self.tries_all:
                waits.append(self.window - (now - self._all[0]))
            return max(1, int(max(waits)) + 1) if waits else 0

    def failed(self, address: str) -> None:
        now = self.clock()
        with self._lock:
            self._failed.setdefault(address, collections.deque()).append(now)
            self._all.append(now)
            if len(self._failed) > MAX_SESSIONS:
                for key in [k for k, v in self._failed.items() if not v or now - v[-1] > self.window]:
                    del self._failed[key]

    def succeeded(self, address: str) -> None:
        with self._lock:
            self._failed.pop(address, None)


def host_name(host: str) -> str:
    """The name in a Host header, without its port ("[::1]:8765" -> "::1"), in lower case."""
    host = host.strip().lower()
    if host.startswith("["):
        return host[1:].split("]", 1)[0]
    return host.rsplit(":", 1)[0] if host.count(":") == 1 else host


def same_origin(origin: str | None, referer: str | None, scheme: str, host: str) -> bool:
    """True when a post comes from this server's own pages: its ``Origin`` (else ``Referer``) is ``scheme://host``.

    A post with neither header comes from no browser page (a script of this machine, a test client):
    the session's token alone decides. ``Origin: null`` (a sandboxed or local file page) is refused.
    """
    own = f"{scheme}://{host}".lower()
    if origin is not None:
        return hmac.compare_digest(origin.strip().lower().rstrip("/"), own)
    if referer is not None:
        parts = urlsplit(referer.strip())
        return hmac.compare_digest(f"{parts.scheme}://{parts.netloc}".lower(), own)
    return True


def served_names(bind: str, extra: Iterable[str] = ()) -> tuple[str, ...]:
    """The host names a server bound to ``bind`` answers to: this machine's names, and ``bind`` itself.

    Bound to every address (0.0.0.0, ::), also the machine's name and its addresses.
    """
    names = {*LOCAL_HOSTS, bind.lower(), *(n.lower() for n in extra)}
    if bind in ("0.0.0.0", "::", ""):
        names.discard(bind)
        try:
            hostname = socket.gethostname()
            names.update({hostname.lower(), socket.getfqdn().lower()})
            for info in socket.getaddrinfo(hostname, None):
                names.add(str(info[4][0]).lower())
        except OSError:
            pass
        try:  # the address other machines reach this one at (no packet is sent)
            with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as probe:
                probe.connect(("192.0.2.1", 9))
                names.add(str(probe.getsockname()[0]))
        except OSError:
            pass
    return tuple(sorted(names))
