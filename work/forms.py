"""The forms of the processing page, one per action; the services do the checking.

The result form also asks the services' own list of a result's problems, so a
person sees every mistake of one submission together.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django import forms
from django.db.models import Exists, OuterRef
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from accounts.models import Assignment, Role, User
from dossiers.models import Dossier, ResultOutcome
from dossiers.services import result_problems
from units.models import Unit, UnitKind

NOT_AGENCIES = [UnitKind.CENTER, UnitKind.PROVINCE]


class DossierForm(forms.Form):
    def __init__(self, *args: Any, dossier: Dossier, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.dossier = dossier


class AssignForm(DossierForm):
    """The competent agency's specialists first; its approvers after them, named as such
    (an approver may take a dossier on, but is not whom the list is for)."""

    assignee = forms.ModelChoiceField(
        queryset=User.objects.none(), label=_("Specialist"), empty_label=_("(choose)")
    )

    def __init__(self, *args: Any, dossier: Dossier, **kwargs: Any) -> None:
        super().__init__(*args, dossier=dossier, **kwargs)
        field: Any = self.fields["assignee"]
        unit = dossier.competent_unit_id
        field.queryset = (
            User.objects.filter(
                is_active=True,
                assignments__unit=unit,
                assignments__role__in=[Role.SPECIALIST, Role.APPROVER],
            )
            .annotate(
                specialist=Exists(
                    Assignment.objects.filter(user=OuterRef("pk"), unit=unit, role=Role.SPECIALIST)
                )
            )
            .distinct()
            .order_by("-specialist", "full_name", "username")
        )
        field.label_from_instance = _assignee_label


def _assignee_label(user: Any) -> str:
    if getattr(user, "specialist", True):
        return str(user.get_full_name())
    return str(_("%(name)s (approver)") % {"name": user.get_full_name()})


class ForwardForm(DossierForm):
    target = forms.ChoiceField(
        label=_("Hand on"),
        choices=[
            ("next", _("to the next step")),
            ("same", _("to another agency, same step")),
        ],
        initial="next",
        widget=forms.RadioSelect,
    )
    to_unit = forms.ModelChoiceField(
        queryset=Unit.objects.none(),
        required=False,
        label=_("Agency"),
        empty_label=_("(this agency)"),
    )
    note = forms.CharField(
        label=_("Note"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )

    def __init__(self, *args: Any, dossier: Dossier, **kwargs: Any) -> None:
        super().__init__(*args, dossier=dossier, **kwargs)
        province = dossier.receiving_unit.province_id or dossier.receiving_unit_id
        field: Any = self.fields["to_unit"]
        field.queryset = (
            Unit.objects.active()
            .filter(province_id=province)
            .exclude(kind__in=NOT_AGENCIES)
            .exclude(pk=dossier.competent_unit_id)
            .order_by("level", "name_vi")
        )
        field.label_from_instance = lambda unit: unit.name


class SupplementForm(DossierForm):
    items = forms.CharField(
        label=_("Papers to add (one per line)"), widget=forms.Textarea(attrs={"rows": 3})
    )
    note = forms.CharField(
        label=_("Note"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )

    def clean_items(self) -> list[str]:
        return [line.strip() for line in self.cleaned_data["items"].splitlines() if line.strip()]


class FeesForm(DossierForm):
    amount = forms.IntegerField(label=_("Amount (VND)"), min_value=1, max_value=10**12)
    note = forms.CharField(
        label=_("Note"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )


class ProposeForm(DossierForm):
    outcome = forms.ChoiceField(
        label=_("Result"), choices=ResultOutcome.choices, initial=ResultOutcome.GRANTED
    )
    number = forms.CharField(label=_("Document number"), max_length=60, required=False)
    signer = forms.CharField(label=_("Signed by"), max_length=200, required=False)
    signed_on = forms.DateField(
        label=_("Signed on"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}),
    )
    document = forms.FileField(
        label=_("Result document (PDF or scan)"),
        required=False,
        widget=forms.ClearableFileInput(attrs={"accept": "application/pdf,image/jpeg,image/png"}),
    )
    note = forms.CharField(
        label=_("Reasons or note"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )

    def clean(self) -> dict[str, Any]:
        data = super().clean() or self.cleaned_data
        problems = result_problems(
            outcome=data.get("outcome", ""),
            number=data.get("number", ""),
            note=data.get("note", ""),
            signer=data.get("signer", ""),
            signed_on=data.get("signed_on"),
            received_at=self.dossier.received_at,
            at=timezone.now(),
            proposal=True,
        )
        for problem in problems:
            if problem.field in self.fields and problem.field not in self.errors:
                self.add_error(problem.field, problem.message)
        return data


class ReasonForm(DossierForm):
    reason = forms.CharField(label=_("Reason"), widget=forms.Textarea(attrs={"rows": 2}))


class ConfirmedForm(DossierForm):
    """An action that cannot be undone: it runs only once its box is ticked, so a first
    click never does it, with or without JavaScript."""

    confirm_label: Any = ""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["confirm"] = forms.BooleanField(
            label=self.confirm_label,
            error_messages={"required": _("Tick the box to confirm. Nothing was done yet.")},
        )


class StopForm(ConfirmedForm):
    reason = forms.CharField(label=_("Reason"), widget=forms.Textarea(attrs={"rows": 2}))
    confirm_label = _(
        "I confirm: processing of this dossier stops for good. This cannot be undone."
    )


class ApproveForm(ConfirmedForm):
    confirm_label = _("I confirm the approval of this result. This cannot be undone.")


class ApologyForm(forms.Form):
    new_due = forms.DateTimeField(
        label=_("New date for the result"),
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
        input_formats=["%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M"],
    )
    reason = forms.CharField(label=_("Reason given to the applicant"), widget=forms.Textarea)

    def clean_new_due(self) -> dt.datetime:
        value: dt.datetime = self.cleaned_data["new_due"]
        if timezone.is_naive(value):
            value = timezone.make_aware(value)
        return value
