"""Every exit code of the command line, in one place (a stable interface: scripts depend on it).

`send`: 0 accepted, 1 findings of severity error, 2 unreadable input or missing credentials, 3 auth,
4 not found, 5 other 400, 6 rate limited after retries, 7 network, 8 server error after retries,
9 a 2xx that was not WebEngage's answer. `preview` uses 0, 1 and 2. `diagnose` uses 0, 1
(works, but on another data centre or with a value to clean), 2, 3, 4, 7 and 8 (inconclusive).
"""

from typing import Final

OK: Final = 0
FINDINGS: Final = 1
UNREADABLE_INPUT: Final = 2
AUTH: Final = 3
NOT_FOUND: Final = 4
BAD_REQUEST: Final = 5
RATE_LIMITED: Final = 6
NETWORK: Final = 7
SERVER_ERROR: Final = 8
NOT_WEBENGAGE: Final = 9
INTERRUPTED: Final = 130

ELSEWHERE: Final = 1
"""`diagnose`: the credentials work, but on another data centre than configured (or need cleaning)."""
MISSING_CREDENTIALS: Final = UNREADABLE_INPUT
INCONCLUSIVE: Final = SERVER_ERROR
