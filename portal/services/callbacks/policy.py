"""Effective callback policies of request paths: company → branch → service → preferred staff."""
from portal.domain.callbacks import CallbackPolicy
from portal.domain.policies import LevelRow, NodeKey, effective_values, resolve
from portal.services.policies.read import RowInfo, load_rows


class PolicyBook:
    """The callback policy of any path of one company, from a single read of its policy rows.

    A queue page or a sweep asks for many paths; each is resolved in memory once.
    """

    def __init__(self, company_id: int):
        self.company_id = company_id
        self._rows: dict[NodeKey, RowInfo] | None = None
        self._resolved: dict[tuple, CallbackPolicy] = {}

    def for_path(self, branch_id: int, service_id: int | None = None,
                 staff_id: int | None = None) -> CallbackPolicy:
        key = (branch_id, service_id, staff_id)
        if key not in self._resolved:
            if self._rows is None:
                self._rows = load_rows(self.company_id, "callback")
            path = (("company", self.company_id), ("branch", branch_id), ("service", service_id),
                    ("staff", staff_id))
            rows = [LevelRow(level, ident, None, self._rows[(level, ident)].config)
                    for level, ident in path if ident is not None and (level, ident) in self._rows]
            self._resolved[key] = CallbackPolicy.from_config(effective_values(resolve("callback", rows)))
        return self._resolved[key]

    def for_callback(self, callback) -> CallbackPolicy:
        """The policy of a callback's path (its branch, service and preferred staff)."""
        return self.for_path(callback.branch_id, callback.service_id, callback.staff_id)
