"""Bulk onboarding by CSV: upload → dry-run preview (nothing written) → apply (all or nothing)."""
from flask import flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user

from portal.domain.onboarding import COLUMNS, KINDS, MAX_BYTES
from portal.domain.onboarding_plan import plan_digest
from portal.models import utcnow
from portal.organisation import bp
from portal.services.organisation.importer import apply_import, preview
from portal.translations.runtime import translated
from portal.web.security import roles_required

FILE_KINDS = (("combined", _l("Branches, services and staff (a kind column)")), ("branch", _l("Branches")),
              ("service", _l("Services")), ("staff", _l("Staff")))


def import_page(status: int = 200, **context):
    return render_template("organisation/import.html", file_kinds=FILE_KINDS, columns=COLUMNS,
                           kinds=KINDS, max_kb=MAX_BYTES // 1000, **context), status


def chosen_kind() -> tuple[str, str | None]:
    """(the choice as sent, the kind for the planner: None for a combined file)."""
    choice = request.form.get("kind", "combined")
    choice = choice if choice in dict(FILE_KINDS) else "combined"
    return choice, None if choice == "combined" else choice


def uploaded() -> tuple[bytes | None, str | None]:
    """The CSV's bytes: the uploaded file (preview) or the text the preview carried (apply)."""
    if "csv_text" in request.form:
        return request.form["csv_text"].encode("utf-8"), None
    upload = request.files.get("file")
    if upload is None or not upload.filename:
        return None, _("Choose a CSV file to upload.")
    data = upload.stream.read(MAX_BYTES + 1)
    return data, None


@bp.route("/organisation/import", methods=["GET", "POST"])
@roles_required("admin")
def import_csv():
    if request.method == "GET":
        return import_page(choice="combined")
    choice, kind = chosen_kind()
    data, error = uploaded()
    if data is None:
        return import_page(400, choice=choice, upload_error=error)
    if request.form.get("action") != "apply":
        plan = preview(current_user.company_id, data, kind)
        return import_page(200 if plan.ok else 400, choice=choice, plan=plan, digest=plan_digest(plan),
                           csv_text=data.decode("utf-8-sig", errors="replace"))
    result = apply_import(current_user, current_user.company_id, data, kind, request.form.get("digest", ""),
                          utcnow())
    if not result.applied:
        flash(translated(result.refusal) if result.refusal else _("Nothing was imported."), "error")
        return import_page(409 if result.stale else 400, choice=choice, plan=result.plan,
                           digest=plan_digest(result.plan), csv_text=data.decode("utf-8", errors="replace"))
    plan = result.plan
    flash(_("Imported: %(created)s created, %(updated)s updated, %(unchanged)s unchanged.",
            created=plan.count("create"), updated=plan.count("update"), unchanged=plan.count("unchanged")),
          "success")
    return redirect(url_for(".index"))
