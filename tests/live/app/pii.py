"""The PII the live app logs on every request: kinds checkout's `pii-strict` policy masks.

tests/live asserts that none of it reaches Loki unmasked.
"""

from __future__ import annotations

EMAIL = "jane.doe@example.com"
CARD = "4111 1111 1111 1111"  # passes the Luhn check
ORDER_TOKEN = "ord_Q7fK2mX9pL4vR8sT1wY6zB3n"  # the policy's custom `order_token` pattern
