"""E5: the scraper reaches Amazon's storefronts only, never an address inside our network, and
reads no more than `max_page_bytes` within `timeout`.

Every request the scraper sends, the first and each redirect hop, passes `GuardedTransport`,
which checks the URL's host against the allowed names and every address the name resolves to,
before any connection is made. (The check resolves the name itself; a resolver that answers
differently a moment later, DNS rebinding, is outside what a name check can stop.)
"""

import ipaddress
import socket
import time
from collections.abc import Callable, Iterator

import httpx

from shelfwise.integrations.scraper.errors import AddressRefusedError, PageTooLargeError
from shelfwise.integrations.scraper.settings import AMAZON_DOMAINS, ScraperSettings

Resolver = Callable[[str], list[str]]
IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address
# Cloud metadata services; link-local or private already, named so the refusal says why.
METADATA_ADDRESSES = frozenset(
    ipaddress.ip_address(address) for address in ("169.254.169.254", "fd00:ec2::254")
)


def resolve(host: str) -> list[str]:
    """Every address `host` resolves to (IPv4 and IPv6)."""
    try:
        answers = socket.getaddrinfo(host, None, proto=socket.IPPROTO_TCP)
    except socket.gaierror as error:
        raise AddressRefusedError(f"{host} does not resolve ({error.strerror}).") from error
    return sorted({str(answer[4][0]) for answer in answers})


def is_storefront(host: str) -> bool:
    """www.amazon.de or amazon.de: a storefront of a marketplace we know."""
    return host.removeprefix("www.") in AMAZON_DOMAINS


class AddressGuard:
    """Refuses URLs the scraper must not fetch; `resolver=None` when nothing connects (a fake
    transport in the same process), so only the host names are checked."""

    def __init__(self, settings: ScraperSettings, resolver: Resolver | None = resolve) -> None:
        self._settings = settings
        self._resolver = resolver

    def check(self, url: httpx.URL) -> None:
        if url.scheme not in ("http", "https"):
            raise AddressRefusedError(f"Only http and https pages are fetched, not {url.scheme}.")
        host = url.host.lower().rstrip(".")
        if not (is_storefront(host) or host in self._settings.allowed_hosts):
            raise AddressRefusedError(f"{host} is not an Amazon storefront.")
        if self._resolver is None:
            return
        try:
            addresses = [ipaddress.ip_address(host)]
        except ValueError:
            addresses = [ipaddress.ip_address(each) for each in self._resolver(host)]
        if not addresses:
            raise AddressRefusedError(f"{host} resolves to no address.")
        for address in addresses:
            self._check_address(host, address)

    def _check_address(self, host: str, address: IPAddress) -> None:
        if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped is not None:
            address = address.ipv4_mapped
        if address.is_loopback and self._settings.allow_loopback:
            return
        if address in METADATA_ADDRESSES:
            raise AddressRefusedError(f"{host} is a cloud metadata address ({address}).")
        # is_global is false for loopback, private, link-local, shared (CGNAT), reserved and
        # documentation ranges; multicast is global in some ranges, so it is refused by name.
        if not address.is_global or address.is_multicast:
            raise AddressRefusedError(f"{host} is inside a private network ({address}).")


class _CappedStream(httpx.SyncByteStream):
    """The body as it arrives, cut off past `max_bytes` or after the deadline."""

    def __init__(
        self, inner: httpx.SyncByteStream, request: httpx.Request, max_bytes: int, deadline: float
    ) -> None:
        self._inner = inner
        self._request = request
        self._max_bytes = max_bytes
        self._deadline = deadline

    def __iter__(self) -> Iterator[bytes]:
        received = 0
        for chunk in self._inner:
            received += len(chunk)
            if received > self._max_bytes:
                raise PageTooLargeError(f"The page is larger than {self._max_bytes} bytes.")
            # A server dripping a byte at a time never trips the read timeout: this does.
            if time.monotonic() > self._deadline:
                raise httpx.ReadTimeout("The page took too long to arrive.", request=self._request)
            yield chunk

    def close(self) -> None:
        self._inner.close()


class GuardedTransport(httpx.BaseTransport):
    """Checks each request's address before sending it and caps the response's size and time."""

    def __init__(
        self, inner: httpx.BaseTransport, guard: AddressGuard, settings: ScraperSettings
    ) -> None:
        self._inner = inner
        self._guard = guard
        self._settings = settings

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        self._guard.check(request.url)
        deadline = time.monotonic() + self._settings.timeout
        response = self._inner.handle_request(request)
        max_bytes = self._settings.max_page_bytes
        declared = response.headers.get("content-length", "")
        if declared.isdigit() and int(declared) > max_bytes:
            response.close()
            raise PageTooLargeError(f"The page is larger than {max_bytes} bytes ({declared}).")
        assert isinstance(response.stream, httpx.SyncByteStream)
        stream = _CappedStream(response.stream, request, max_bytes, deadline)
        return httpx.Response(
            response.status_code,
            headers=response.headers,
            stream=stream,
            extensions=response.extensions,
            request=request,
        )

    def close(self) -> None:
        self._inner.close()
