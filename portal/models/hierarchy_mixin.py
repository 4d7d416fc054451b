"""effective_policy() on Company, Branch, Service and Staff."""


class EffectivePolicyMixin:
    def effective_policy(self, policy_type: str) -> dict | None:
        """The merged effective config of this node for `policy_type` (cached), or None.

        Paths: a company alone; a branch under its company; a service under its company (a
        service row applies to that service everywhere); a staff member under their home branch.
        """
        from ..services.policy_read import effective_policy

        return effective_policy(self, policy_type)
