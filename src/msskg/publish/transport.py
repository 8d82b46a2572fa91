"""HTTP for the remote engines, with the standard library's urllib: one
request, credentials from the environment (Basic, Bearer, and Digest when a
server asks for it), and every way a request fails as one EndpointError."""

from __future__ import annotations

import base64
import http.client
import os
import re
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Mapping

from msskg.errors import (
    EndpointError,
    EndpointHTTPError,
    EndpointResponseError,
    EndpointTimeoutError,
    EndpointUnreachableError,
)

__all__ = [
    "AUTH_ENV",
    "DEFAULT_TIMEOUT",
    "TOKEN_ENV",
    "checked_timeout",
    "checked_url",
    "credentials",
    "send",
]

AUTH_ENV = "MSSKG_ENDPOINT_AUTH"
"""``user:password``, sent as HTTP Basic authentication, and as Digest
authentication to a server that asks for it (Virtuoso's /sparql-graph-crud-auth)."""
TOKEN_ENV = "MSSKG_ENDPOINT_TOKEN"
"""A token, sent as ``Authorization: Bearer TOKEN``."""
DEFAULT_TIMEOUT = 60.0


def checked_url(url: str) -> str:
    parts = urllib.parse.urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.netloc:
        raise EndpointError(
            f'"{url}" is not the http(s) URL of a SPARQL endpoint '
            "(e.g. http://localhost:7878/query)"
        )
    return url


def checked_timeout(seconds: float | None) -> float:
    """``seconds``, or :data:`DEFAULT_TIMEOUT` for None."""
    if seconds is None:
        return DEFAULT_TIMEOUT
    if not seconds > 0:
        raise EndpointError(f"the timeout must be a positive number of seconds, not {seconds}")
    return seconds


def credentials() -> dict[str, str]:
    """The Authorization header that $MSSKG_ENDPOINT_TOKEN or $MSSKG_ENDPOINT_AUTH asks for."""
    token, auth = os.environ.get(TOKEN_ENV), os.environ.get(AUTH_ENV)
    if token and auth:
        raise EndpointError(f"set {AUTH_ENV} or {TOKEN_ENV}, not both")
    if token:
        return {"Authorization": f"Bearer {token}"}
    if auth:
        if ":" not in auth:
            raise EndpointError(f"{AUTH_ENV} must be user:password")
        return {"Authorization": "Basic " + base64.b64encode(auth.encode()).decode("ascii")}
    return {}


def _digest_handler(url: str) -> urllib.request.HTTPDigestAuthHandler | None:
    """A handler answering Digest challenges with $MSSKG_ENDPOINT_AUTH, if set."""
    auth = os.environ.get(AUTH_ENV)
    if not auth or ":" not in auth or os.environ.get(TOKEN_ENV):
        return None
    user, _, password = auth.partition(":")
    passwords = urllib.request.HTTPPasswordMgrWithDefaultRealm()
    passwords.add_password(None, url, user, password)
    return urllib.request.HTTPDigestAuthHandler(passwords)


def _opener(url: str) -> urllib.request.OpenerDirector:
    """urllib's opener, answering a Digest challenge with $MSSKG_ENDPOINT_AUTH
    (Virtuoso's authenticated Graph Store endpoint asks for Digest)."""
    handler = _digest_handler(url)
    return urllib.request.build_opener(*([handler] if handler else []))


def _digest_answer(url: str, method: str, timeout: float) -> str | None:
    """The Authorization header answering the Digest challenge that a HEAD
    request without credentials draws from ``url``; None if it draws none."""
    handler = _digest_handler(url)
    refused = _head_refusal(url, timeout) if handler is not None else None
    if handler is None or refused is None or refused.code != 401:
        return None
    scheme, _, challenge = (refused.headers.get("WWW-Authenticate") or "").partition(" ")
    if scheme.lower() != "digest":
        return None
    fields = urllib.request.parse_keqv_list(
        [f for f in urllib.request.parse_http_list(challenge) if f]
    )
    answer = handler.get_authorization(urllib.request.Request(url, method=method), fields)
    return f"Digest {answer}" if answer else None


def _raise_if_unauthorized(url: str, timeout: float) -> None:
    """Raise the 401 a bodiless request draws from ``url``, if it draws one: a
    store that refuses a request without credentials may close the connection
    before it has read a large body (Virtuoso does), so the refusal itself was
    lost, and which of the two the client saw depended on timing."""
    refused = _head_refusal(url, timeout)
    if refused is not None and refused.code == 401:
        raise refused


def _head_refusal(url: str, timeout: float) -> urllib.error.HTTPError | None:
    """The HTTP error a HEAD request without credentials draws from ``url``, if any."""
    try:
        with urllib.request.urlopen(urllib.request.Request(url, method="HEAD"), timeout=timeout):
            return None
    except urllib.error.HTTPError as err:
        return err
    except (urllib.error.URLError, OSError, http.client.HTTPException):
        return None


def _open(
    url: str,
    method: str,
    body: bytes,
    headers: Mapping[str, str],
    auth: Mapping[str, str],
    timeout: float,
) -> tuple[str, bytes]:
    request = urllib.request.Request(url, data=body, method=method, headers=dict(headers))
    for name, value in auth.items():
        # Unredirected: credentials never follow a redirect to another server.
        request.add_unredirected_header(name, value)
    with _opener(url).open(request, timeout=timeout) as response:
        return response.headers.get("Content-Type", ""), response.read()


def send(
    url: str,
    *,
    method: str,
    body: bytes,
    headers: Mapping[str, str],
    timeout: float,
    store: bool = False,
) -> tuple[str, bytes]:
    """One HTTP request; the answer's Content-Type and body. Every way it can
    fail becomes one of the EndpointError classes, with a one-line message."""
    auth = credentials()
    try:
        try:
            return _open(url, method, body, headers, auth, timeout)
        except (urllib.error.HTTPError, urllib.error.URLError, ConnectionError) as err:
            # Virtuoso answers Basic credentials with a bare 401 (or, with a
            # large body, closes the connection before reading it); a bodiless
            # request without them gets the Digest challenge to answer.
            challenged = isinstance(err, urllib.error.HTTPError) and (
                err.code != 401 or bool(err.headers.get("WWW-Authenticate"))
            )
            digest = None if challenged else _digest_answer(url, method, timeout)
            if digest is None:
                lost = err.reason if isinstance(err, urllib.error.URLError) else err
                if isinstance(lost, ConnectionError) and not auth:
                    _raise_if_unauthorized(url, timeout)
                raise
            return _open(url, method, body, headers, {"Authorization": digest}, timeout)
    except urllib.error.HTTPError as err:
        raise _http_error(url, err, store=store) from None
    except urllib.error.URLError as err:
        if isinstance(err.reason, TimeoutError):
            raise _timeout(url, timeout) from None
        raise EndpointUnreachableError(
            f"cannot reach {url}: {_reason(err.reason)} (is the server running? check the URL)"
        ) from None
    except TimeoutError:
        raise _timeout(url, timeout) from None
    except ConnectionError as err:
        raise EndpointUnreachableError(f"lost the connection to {url}: {_reason(err)}") from None
    except (http.client.HTTPException, OSError) as err:
        raise EndpointResponseError(
            f"{url} did not answer in HTTP: {_reason(err) or type(err).__name__}"
        ) from None


def _reason(reason: object) -> str:
    return reason.strerror if isinstance(reason, OSError) and reason.strerror else str(reason)


def _timeout(url: str, seconds: float) -> EndpointTimeoutError:
    return EndpointTimeoutError(f"{url} did not answer within {seconds:g} s (raise --timeout)")


def _http_error(url: str, err: urllib.error.HTTPError, *, store: bool) -> EndpointHTTPError:
    try:
        text = err.read(4096).decode("utf-8", "replace")
    except (OSError, http.client.HTTPException):
        text = ""
    if text.lstrip().startswith("<"):
        text = re.sub(r"<[^>]*>", "\n", text)  # an HTML error page: its words only
    first = next((line.strip() for line in text.splitlines() if line.strip()), "")
    message = f"{url} answered HTTP {err.code} {err.reason}" + (f": {first[:200]}" if first else "")
    if err.code in (401, 403):
        message += f" (set {AUTH_ENV}=user:password or {TOKEN_ENV}=TOKEN)"
    elif store and err.code in (404, 405):
        message += " (is this the server's Graph Store endpoint? see --store-endpoint)"
    return EndpointHTTPError(message, status=err.code)
