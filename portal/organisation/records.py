"""Branches, services and staff: one set of pages per kind, registered from one table.

Each kind has a list (active first; "show inactive" adds the deactivated ones, marked), a page to
create one, its own page (admins edit it there; branch managers read their branch, its staff and
the catalog), a page that says what is attached before deactivating, and reactivation.
"""
from collections.abc import Callable
from dataclasses import dataclass

from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from portal.models import Branch, Service, Staff, utcnow
from portal.organisation import bp
from portal.organisation.forms import read_record_form, read_version
from portal.organisation.presenters import record_form_context, record_values
from portal.services.organisation.attachments import attachments
from portal.services.organisation.branches import create_branch, update_branch
from portal.services.organisation.catalog import create_service, update_service
from portal.services.organisation.nodes import Outcome, set_active
from portal.services.organisation.read import branch_summaries, service_summaries, staff_listing
from portal.services.organisation.staff import create_staff, update_staff
from portal.web.pagination import page_args, paginate_entities
from portal.web.scope import current_scope, get_or_404
from portal.web.security import roles_required

readers = roles_required("admin", "branch_manager")


@dataclass(frozen=True)
class Kind:
    name: str  # branch: the record's endpoint and template
    plural: str  # branches: the list's URL
    listing: str  # the list's endpoint and template
    label: str  # Branch
    model: type
    create: Callable[..., Outcome]
    update: Callable[..., Outcome]


KINDS = (
    Kind("branch", "branches", "branches", "Branch", Branch, create_branch, update_branch),
    Kind("service", "services", "services", "Service", Service, create_service, update_service),
    Kind("staff", "staff", "staff_list", "Staff member", Staff, create_staff, update_staff),
)


def show_inactive() -> bool:
    return request.args.get("inactive") == "1"


def admins_only() -> None:
    """Managers read the organisation; only admins change it (checked on the server)."""
    if not current_user.is_admin:
        abort(403)


def list_page(kind: Kind):
    inactive = show_inactive()
    context: dict = {"kind": kind, "inactive": inactive}
    if kind.name == "branch":
        context["rows"] = branch_summaries(current_scope(), inactive)
    elif kind.name == "service":
        context["rows"] = service_summaries(current_scope().whole_company(), inactive)
    else:
        branch_id = request.args.get("branch", type=int)
        context.update(page=paginate_entities(staff_listing(current_scope(), inactive, branch_id)),
                       page_args=page_args(("branch", "inactive")), branch_id=branch_id,
                       branches=branch_summaries(current_scope(), True))
    return render_template(f"organisation/{kind.listing}.html", **context)


def record_page(kind: Kind, entity, values: dict, errors: dict | None = None, status: int = 200, **extra):
    context = record_form_context(kind.name, current_user.company_id, entity, values)
    return render_template(f"organisation/{kind.name}.html", kind=kind, entity=entity, errors=errors or {},
                           editable=current_user.is_admin, **context, **extra), status


def new_page(kind: Kind):
    admins_only()
    if request.method == "GET":
        return record_page(kind, None, record_values(kind.name, None))
    raw = read_record_form(kind.name, request.form)
    outcome = kind.create(current_user, current_user.company_id, raw)
    if not outcome.ok:
        flash(_("Nothing was saved: correct the highlighted fields."), "error")
        return record_page(kind, None, raw, outcome.errors, 400)
    flash(created_message(kind.name, outcome.entity.name), "success")
    return redirect(url_for(f".{kind.name}", **{f"{kind.name}_id": outcome.entity.id}))


def created_message(kind: str, name: str) -> str:
    """"Created the branch “North”." (German puts the kind elsewhere, so one message per kind)."""
    return {"branch": _("Created the branch “%(name)s”.", name=name),
            "service": _("Created the service “%(name)s”.", name=name),
            "staff": _("Created the staff member “%(name)s”.", name=name)}[kind]


def edit_page(kind: Kind, ident: int):
    lookup = get_or_404_company if kind.name == "service" else get_or_404
    entity = lookup(kind.model, ident)
    if request.method == "GET":
        return record_page(kind, entity, record_values(kind.name, entity))
    admins_only()
    version = read_version(request.form)
    if version is None:
        abort(400, _("The form is missing its version; reload the page."))
    raw = read_record_form(kind.name, request.form)
    outcome = kind.update(current_user, entity, raw, version)
    if outcome.conflict:
        flash(_("Not saved: someone else changed this record after you opened it."), "error")
        return record_page(kind, entity, raw, {}, 409, conflict=outcome.conflict)
    if not outcome.ok:
        flash(_("Nothing was saved: correct the highlighted fields."), "error")
        return record_page(kind, entity, {**raw, "version": version}, outcome.errors, 400)
    flash(_("Saved %(name)s.", name=entity.name) if outcome.changed else _("Nothing changed."), "success")
    return redirect(url_for(f".{kind.name}", **{f"{kind.name}_id": entity.id}))


def get_or_404_company(model, ident):
    """The catalog is company-wide: branch managers read every service (read-only)."""
    row = current_scope().whole_company().get(model, ident)
    if row is None:
        abort(404)
    return row


def deactivate_page(kind: Kind, ident: int):
    admins_only()
    entity = get_or_404(kind.model, ident)
    if request.method == "GET":
        return render_template("organisation/deactivate.html", kind=kind, entity=entity,
                               attached=attachments(entity, utcnow()))
    return change_active(kind, entity, False)


def reactivate_page(kind: Kind, ident: int):
    admins_only()
    return change_active(kind, get_or_404(kind.model, ident), True)


def active_message(name: str, active: bool, changed: bool) -> str:
    if changed:
        return (_("%(name)s is reactivated.", name=name) if active
                else _("%(name)s is deactivated.", name=name))
    return (_("%(name)s was reactivated already.", name=name) if active
            else _("%(name)s was deactivated already.", name=name))


def change_active(kind: Kind, entity, active: bool):
    version = read_version(request.form)
    if version is None:
        abort(400, _("The form is missing its version; reload the page."))
    outcome = set_active(current_user, entity, active, version)
    if outcome.conflict:
        who = outcome.conflict.changed_by or _("someone else")
        flash(_("Not changed: %(who)s changed %(name)s after you opened it. Check it and try again.",
                who=who, name=entity.name), "error")
        return record_page(kind, entity, record_values(kind.name, entity), {}, 409, conflict=outcome.conflict)
    flash(active_message(entity.name, active, outcome.changed), "success")
    return redirect(url_for(f".{kind.name}", **{f"{kind.name}_id": entity.id}))


def register(kind: Kind) -> None:
    """The five routes of one kind: list, new, the record, deactivate, reactivate."""
    base, arg = f"/organisation/{kind.plural}", f"{kind.name}_id"
    views = (
        ("", kind.listing, lambda: list_page(kind), ["GET"]),
        ("/new", f"new_{kind.name}", lambda: new_page(kind), ["GET", "POST"]),
        (f"/<int:{arg}>", kind.name, lambda **kw: edit_page(kind, kw[arg]), ["GET", "POST"]),
        (f"/<int:{arg}>/deactivate", f"deactivate_{kind.name}", lambda **kw: deactivate_page(kind, kw[arg]),
         ["GET", "POST"]),
        (f"/<int:{arg}>/reactivate", f"reactivate_{kind.name}", lambda **kw: reactivate_page(kind, kw[arg]),
         ["POST"]),
    )
    for path, endpoint, view, methods in views:
        bp.add_url_rule(base + path, endpoint, readers(view), methods=methods)


for _kind in KINDS:
    register(_kind)
