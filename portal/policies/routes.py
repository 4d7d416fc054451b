from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required
from markupsafe import Markup

from portal.cache import cached
from portal.domain.messages import M_
from portal.domain.policy_impact import impact_of_change
from portal.domain.policy_schema import POLICY_TYPES, key_specs
from portal.extensions import db
from portal.models import AuditEvent, Branch
from portal.policies import bp
from portal.policies.forms import EditorInput, read_editor
from portal.policies.presenters import (
    FULL_TREE_UP_TO,
    LEVEL_LABELS,
    LEVEL_WORDS,
    SERVICES_UP_TO,
    build_tree_view,
    cells_for,
    count_nodes,
    editor_rows,
    fee_view,
    impact_lines,
)
from portal.services.policies.read import (
    check_policy_type,
    company_tree,
    level_rows,
    node_ref,
    path_labels,
    resolve_node,
    resolve_node_in_full,
)
from portal.services.policies.tree import view_tree
from portal.services.policies.write import audit_entity, can_edit, current_conflict, edit_refusal, save_row
from portal.translations.labels import label
from portal.translations.runtime import translated
from portal.web.i18n import current_language
from portal.web.inputs import arg_choice, arg_id, arg_text, form_version
from portal.web.scope import current_scope
from portal.web.templating import Once

PREVIEW_LEVELS = ("company", "branch", "service")


@bp.get("/")
@login_required
def tree():
    policy_type = arg_choice("type", POLICY_TYPES, "cancellation", label=_("Policy type"))
    branch_id = arg_id("branch")
    if "branch" not in request.args and current_user.is_manager:
        branch_id = current_user.branch_id  # managers start on their own branch
    query = arg_text("q", 100, label=_("Search"))
    inactive = request.args.get("inactive") == "1"  # "show inactive": deactivated nodes, marked
    shown = [] if inactive else [Branch.is_active.is_(True)]
    branches = db.session.scalars(current_scope().whole_company().select(Branch, *shown)
                                  .order_by(Branch.name)).all()
    return render_template(
        "policies/tree.html", policy_type=policy_type, policy_types=POLICY_TYPES,
        branches=branches, branch_id=branch_id, query=query, inactive=inactive,
        tree_html=Markup(tree_html(policy_type, branch_id, query, inactive)),
    )


def tree_html(policy_type: str, branch_id: int | None, query: str, inactive: bool = False) -> str:
    """The rendered tree; unfiltered-by-name views are cached under the config generation."""
    company_id = current_user.company_id

    def render() -> str:
        part = view_tree(company_id, policy_type, branch_id, query, FULL_TREE_UP_TO, inactive, SERVICES_UP_TO)
        view = build_tree_view(policy_type, part.root, part.rows, branch_id, query, part.shape, part.inactive)
        return render_template("policies/_tree.html", policy_type=policy_type, view=view,
                               counts=count_nodes(view), query=query, once=Once(),
                               node_link=node_link_prefix(policy_type),
                               level_labels={level: translated(word) for level, word in LEVEL_LABELS.items()},
                               level_words={level: translated(word) for level, word in LEVEL_WORDS.items()})

    if query:
        return render()
    # The HTML holds translated labels: one cached copy per language.
    return cached(company_id, f"tree-html:{current_language()}:{policy_type}:{branch_id or 'all'}"
                              f"{':all' if inactive else ''}", str, render, in_process=True)


def _editor_context(policy_type, node, entry: EditorInput | None, **extra):
    resolved, set_aside, row = resolve_node_in_full(current_user.company_id, policy_type, node)
    editable = can_edit(current_user, node)
    if entry is None:
        entry = EditorInput(version=row.version if row else 0)
    cells = {cell.key: cell
             for cell in cells_for(policy_type, resolved, node.level, node.entity_id, set_aside)}
    if "impact" in extra:
        extra["impact_lines"] = impact_lines(policy_type, extra["impact"])
    return dict(
        policy_type=policy_type, node=node, row=row, resolved=resolved, entry=entry,
        fee_rule=fee_view(policy_type, resolved, set_aside, node.level, node.entity_id),
        rows=editor_rows(policy_type, resolved, cells, row.config if row else {}, entry),
        unknown_errors={k: v for k, v in entry.errors.items() if k not in cells and k != "version"},
        specs=key_specs(policy_type), editable=editable,
        labels={spec.name: spec.label for spec in key_specs(policy_type)},
        refusal=None if editable else edit_refusal(current_user, node),
        level_labels=LEVEL_LABELS, needs_preview=node.level in PREVIEW_LEVELS,
        path_labels=path_labels(node), **extra,
    )


def _node_from_request(level, entity_id):
    return node_ref(current_user.company_id, level, entity_id,
                    branch_id=arg_id("branch"), service_id=arg_id("service"))


@bp.app_template_global("policy_node_url")
def node_url(policy_type: str, ref, endpoint: str = "policies.node") -> str:
    """URL of a node's editor (or history), keeping the tree position it was opened from."""
    return url_for(endpoint, policy_type=policy_type, level=ref.level, entity_id=ref.entity_id,
                   **dict(ref.context))


def node_link_prefix(policy_type: str) -> str:
    """The start of every node editor's URL ("/policies/cancellation/"): the tree appends
    `level/id` and the tree position, so a branch of 200 nodes needs one url_for, not 200."""
    return url_for("policies.node", policy_type=policy_type, level="company",
                   entity_id=0).removesuffix("company/0")


@bp.app_template_global("policy_path_crumbs")
def path_crumbs(policy_type: str, ref, labels: list[str]) -> list[tuple[str, str]]:
    """Breadcrumb items of a node's path, company first: each links to its own editor."""
    items = []
    for index, (level, ident) in enumerate(ref.path):
        parent = ref.path[index - 1] if index else None
        context = {parent[0]: parent[1]} if parent and (level, parent[0]) in (
            ("service", "branch"), ("staff", "service")) else {}
        items.append((labels[index], url_for("policies.node", policy_type=policy_type, level=level,
                                             entity_id=ident, **context)))
    return items


@bp.route("/<policy_type>/<level>/<int:entity_id>", methods=["GET", "POST"])
@login_required
def node(policy_type, level, entity_id):
    check_policy_type(policy_type)
    ref = _node_from_request(level, entity_id)
    if request.method == "GET":
        return render_template("policies/node.html", **_editor_context(policy_type, ref, None))
    if not can_edit(current_user, ref):
        abort(403)
    action = arg_choice("action", ("save", "preview", "reset_row", "reset_key"), "save",
                        source=request.form, label=_("Action"))
    if action in ("reset_row", "reset_key"):
        return _reset(policy_type, ref, action)
    entry = read_editor(policy_type, request.form)
    if entry.errors:
        flash(_("Nothing was saved: correct the highlighted settings."), "error")
        return render_template("policies/node.html", **_editor_context(policy_type, ref, entry)), 400
    if action == "preview":
        return _preview(policy_type, ref, entry)
    return _save(policy_type, ref, entry.config, entry)


def _impact(policy_type, ref, config):
    policy_tree = company_tree(current_user.company_id, policy_type)
    return impact_of_change(policy_type, policy_tree.tree_input,
                            level_rows(policy_tree.tree_input, policy_tree.rows),
                            ref.level, ref.entity_id, config)


def _preview(policy_type, ref, entry):
    impact = _impact(policy_type, ref, entry.config)
    return render_template("policies/node.html", **_editor_context(policy_type, ref, entry, impact=impact))


def _save(policy_type, ref, config, entry):
    conflict = save_row(current_user, policy_type, ref, config, entry.version)
    if conflict is not None:
        flash(_("Not saved: someone else changed these settings after you opened them."), "error")
        context = _editor_context(policy_type, ref, entry, conflict=conflict)
        return render_template("policies/node.html", **context), 409
    flash(_("Saved the %(type)s settings of %(name)s.", type=label("policy_type", policy_type).lower(),
            name=ref.name), "success")
    return redirect(node_url(policy_type, ref))


def _reset(policy_type, ref, action):
    """Reset one key or the whole node; where a change needs an impact preview, so does a reset:
    the first POST shows what would change, the confirmed one resets."""
    version = form_version()
    _resolved, row = resolve_node(current_user.company_id, policy_type, ref)
    config = dict(row.config) if row else {}
    key = arg_text("key", 100, source=request.form, label=_("Setting")) if action == "reset_key" else None
    if key is not None and key not in config:
        abort(400, _("%(key)s is not set on this node, so there is nothing to reset.", key=repr(key[:60])))
    if key is None and not config:
        abort(400, _("Nothing is set on this node, so there is nothing to reset."))
    config = {name: value for name, value in config.items() if name != key} if key else {}
    entry = EditorInput(version=version)
    if version != (row.version if row else 0):
        conflict = current_conflict(current_user.company_id, policy_type, ref)
        return _refused_reset(policy_type, ref, entry, conflict)
    if ref.level in PREVIEW_LEVELS and request.form.get("confirmed") != "yes":
        pending = {"action": action, "key": key or "", "version": version,
                   "what": _reset_words(policy_type, key)}
        context = _editor_context(policy_type, ref, entry, impact=_impact(policy_type, ref, config),
                                  reset_pending=pending)
        return render_template("policies/node.html", **context)
    lost = save_row(current_user, policy_type, ref, config, version)
    if lost is not None:
        return _refused_reset(policy_type, ref, entry, lost)
    flash(_("Reset %(what)s to inherited values.", what=translated(_reset_words(policy_type, key))),
          "success")
    return redirect(node_url(policy_type, ref))


def _refused_reset(policy_type, ref, entry, conflict):
    flash(_("Not reset: someone else changed these settings after you opened them."), "error")
    context = _editor_context(policy_type, ref, entry, conflict=conflict)
    return render_template("policies/node.html", **context), 409


def _reset_words(policy_type: str, key: str | None) -> str:
    labels = {spec.name: spec.label for spec in key_specs(policy_type)}
    return M_("“%(label)s”", label=labels.get(key, key)) if key else M_("every setting of this node")


@bp.get("/<policy_type>/<level>/<int:entity_id>/history")
@login_required
def history(policy_type, level, entity_id):
    check_policy_type(policy_type)
    ref = _node_from_request(level, entity_id)
    events = db.session.scalars(
        current_scope().select(AuditEvent, AuditEvent.entity_type == audit_entity(policy_type, ref.level),
               AuditEvent.entity_id == ref.entity_id).order_by(AuditEvent.id.desc()).limit(200)
    ).all()
    return render_template("policies/history.html", policy_type=policy_type, node=ref, events=events,
                           path_labels=path_labels(ref),
                           specs={spec.name: spec for spec in key_specs(policy_type)},
                           level_labels=LEVEL_LABELS)
