"""The one place secrets are masked: every sink (screen, CLI output, history, exports, hints) uses it.

A REST API key is shown as `••••••••` plus its last four characters (a short key: the mask alone).
`mask_secrets` replaces a secret wherever it appears in a text, in each form a server, an exception
or a serializer may have quoted it in: as is, escaped the way `repr` or JSON escapes it, and
base64-encoded (an echoed `Authorization: Basic` header).
"""

from __future__ import annotations

import base64
import json
from collections.abc import Iterable

MASK = "••••••••"
SECRET_MIN = 8
"""Shorter values are not masked inside texts: no real key is this short, and replacing "ab"
everywhere would mangle any body."""


def redact_key(api_key: str) -> str:
    """What is shown instead of the key: the mask, plus the last 4 characters of a long key."""
    if not api_key:
        return "(no key)"
    if len(api_key) >= 16:
        return f"{MASK}{api_key[-4:]}"
    return MASK


def _forms(secret: str) -> set[str]:
    forms = {
        secret,
        repr(secret)[1:-1],
        repr(secret.encode("utf-8", "replace"))[2:-1],
        json.dumps(secret)[1:-1],
        json.dumps(secret, ensure_ascii=False)[1:-1],
    }
    encoded = base64.b64encode(secret.encode("utf-8", "replace")).decode("ascii")
    forms.add(encoded)
    forms.add(encoded.rstrip("="))
    return {form for form in forms if len(form) >= SECRET_MIN}


def mask_secrets(text: str, secrets: Iterable[str]) -> str:
    """`text` with every secret (of at least SECRET_MIN characters) replaced by its redacted form."""
    for secret in secrets:
        if len(secret) < SECRET_MIN:
            continue
        shown = redact_key(secret)
        for form in sorted(_forms(secret), key=len, reverse=True):
            if form in text:
                text = text.replace(form, shown)
    return text


class Masker:
    """`mask_secrets` bound to a set of secrets, for a sink that masks many texts."""

    __slots__ = ("_secrets",)

    def __init__(self, secrets: Iterable[str]) -> None:
        self._secrets = tuple(s for s in secrets if len(s) >= SECRET_MIN)

    def __call__(self, text: str) -> str:
        return mask_secrets(text, self._secrets) if self._secrets else text

    def __bool__(self) -> bool:
        return bool(self._secrets)
