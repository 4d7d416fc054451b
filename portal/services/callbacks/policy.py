"""Effective callback policies of request paths: company → branch → service → preferred staff."""
from portal.cache.generation import cached, shared_memo
from portal.domain.callbacks import CallbackPolicy
from portal.domain.policies import LevelRow, NodeKey, effective_values, resolve
from portal.services.policies.read import RowInfo, load_rows


class PolicyBook:
    """The callback policy of any path of one company, from a single read of its policy rows
    (through the configuration cache: a company has a few dozen callback rows, and every queue
    page and dashboard asks).

    A queue page or a sweep asks for many paths; each is resolved in memory once per process
    and configuration generation (the rows and the resolved policies are kept in the process,
    portal/cache/process.py: a queue page asks for some twenty paths on every view).
    """

    def __init__(self, company_id: int):
        self.company_id = company_id
        self._rows: dict[NodeKey, RowInfo] | None = None
        self._memo: dict[tuple, CallbackPolicy] | None = None

    @property
    def _resolved(self) -> dict[tuple, CallbackPolicy]:
        if self._memo is None:
            self._memo = shared_memo(self.company_id, "callback-paths")
        return self._memo

    def for_path(self, branch_id: int, service_id: int | None = None,
                 staff_id: int | None = None) -> CallbackPolicy:
        key = (branch_id, service_id, staff_id)
        if key not in self._resolved:
            path = (("company", self.company_id), ("branch", branch_id), ("service", service_id),
                    ("staff", staff_id))
            known = self.rows
            rows = [LevelRow(level, ident, None, known[(level, ident)].config)
                    for level, ident in path if ident is not None and (level, ident) in known]
            self._resolved[key] = CallbackPolicy.from_config(effective_values(resolve("callback", rows)))
        return self._resolved[key]

    @property
    def rows(self) -> dict[NodeKey, RowInfo]:
        """The company's live callback rows by node."""
        if self._rows is None:
            self._rows = cached(self.company_id, "rows:callback", dict[NodeKey, RowInfo],
                                lambda: load_rows(self.company_id, "callback"), in_process=True)
        return self._rows

    def for_callback(self, callback) -> CallbackPolicy:
        """The policy of a callback's path (its branch, service and preferred staff)."""
        return self.for_path(callback.branch_id, callback.service_id, callback.staff_id)
