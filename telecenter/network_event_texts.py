"""The texts of a network teleconference and their longest length: central refuses longer ones
when staff type them, and a site refuses settings that carry longer ones (issue 21's contract,
the `network_events` part of the network settings)."""

from __future__ import annotations

TEXT_LIMITS = {
    "title": 160,
    "topic": 300,
    "presenter": 160,
    "organisation": 160,
    "platform": 80,
    "joining_details": 500,
    "notes": 1000,
    "cancel_reason": 300,
}
