"""effective_policy() on Company, Branch, Service and Staff.

The resolver lives in the services (it reads and caches policy rows); create_app wires it in
(portal/services/wiring.py), so the models never import the services.
"""
from collections.abc import Callable
from typing import Any, ClassVar

Resolver = Callable[[Any, str], dict | None]


class EffectivePolicyMixin:
    _resolver: ClassVar[Resolver | None] = None

    @classmethod
    def use_resolver(cls, resolver: Resolver) -> None:
        EffectivePolicyMixin._resolver = resolver

    def effective_policy(self, policy_type: str) -> dict | None:
        """The merged effective config of this node for `policy_type` (cached), or None.

        Paths: a company alone; a branch under its company; a service under its company (a
        service row applies to that service everywhere); a staff member under their home branch.
        """
        if EffectivePolicyMixin._resolver is None:
            raise RuntimeError("effective_policy needs the app: create_app() wires the resolver in")
        return EffectivePolicyMixin._resolver(self, policy_type)
