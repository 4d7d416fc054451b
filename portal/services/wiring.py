"""What the models ask of the services, wired in from here so models never import services."""
from portal.models.hierarchy_mixin import EffectivePolicyMixin
from portal.services.policies.read import effective_policy


def register(app) -> None:
    EffectivePolicyMixin.use_resolver(effective_policy)
