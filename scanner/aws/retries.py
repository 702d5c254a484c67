"""botocore's standard retries, with the retry quota of each account's own, on the clients member accounts share.

In standard mode botocore keeps a retry quota per client: each retry of a throttled call costs 5 units of 500,
and a call that finally succeeds gives back only its last retry's. With a client per account that quota never
ran out; a client shared by every account would spend one quota for all, so a few throttled accounts would
leave every other account's throttled calls a single attempt. Here each account's calls are decided by
botocore's own standard handler, made for that account alone (`OwnRetries`), which the shared client asks in
place of its own (`route_retries`).
"""

from __future__ import annotations

from collections.abc import Callable
from types import SimpleNamespace
from typing import Any

from botocore.hooks import HierarchicalEmitter, first_non_none_response
from botocore.retries import standard


class OwnRetries:
    """botocore's standard retry handler and retry quota for one account's calls of one service."""

    def __init__(self, service_model: Any, max_attempts: int) -> None:
        self._events = HierarchicalEmitter()
        # `register_retry_handler` needs only a client's service model and somewhere to register its handlers.
        stand_in = SimpleNamespace(meta=SimpleNamespace(service_model=service_model, events=self._events))
        standard.register_retry_handler(stand_in, max_attempts=max_attempts)

    def emit(self, event_name: str, **kwargs: Any) -> list[tuple[Any, Any]]:
        responses: list[tuple[Any, Any]] = self._events.emit(event_name, **kwargs)
        return responses


def route_retries(client: Any, retries_of: Callable[[], OwnRetries | None]) -> None:
    """Replace `client`'s retry handler: whether and when to retry a call, and the quota it spends and gives
    back, are those of `retries_of()` (the handler of the account the thread is calling for)."""
    name = client.meta.service_model.service_id.hyphenize()

    def needs_retry(event_name: str, **kwargs: Any) -> Any:
        retries = retries_of()
        return first_non_none_response(retries.emit(event_name, **kwargs)) if retries is not None else None

    def after_call(event_name: str, **kwargs: Any) -> None:
        retries = retries_of()
        if retries is not None:
            retries.emit(event_name, **kwargs)

    events = client.meta.events
    unique_id = f"retry-config-{name}"  # botocore's own handler, whose quota would be every account's
    events.unregister(f"needs-retry.{name}", unique_id=unique_id)
    events.register(f"needs-retry.{name}", needs_retry, unique_id=unique_id)
    events.register(f"after-call.{name}", after_call, unique_id="orgscan-account-retry-quota")
