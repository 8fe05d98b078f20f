"""Checking an online filing: the reasons a desk refuses, and the papers it asks for.

Forms 02 and 03 are printed in Vietnamese whatever language the officer
works in, so the reasons picked from the list are stored in Vietnamese.
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils import translation
from django.utils.translation import gettext_lazy as _

from catalog.models import Component
from dossiers.models import Dossier

REFUSAL_REASONS = [
    ("competence", _("The procedure is not within the competence of this agency.")),
    ("papers", _("The papers do not follow the checklist of the procedure.")),
    ("invalid", _("A paper is not valid or has expired.")),
    ("mismatch", _("The details declared do not match the papers.")),
    ("eligibility", _("The applicant does not meet the conditions of the procedure.")),
    ("unreadable", _("The scans cannot be read.")),
]


def _vietnamese(label: Any) -> str:
    with translation.override("vi"):
        return str(label)


def _lines(text: str) -> list[str]:
    return [line.strip() for line in text.splitlines() if line.strip()]


class AcceptForm(forms.Form):
    note = forms.CharField(label=_("Note (optional)"), max_length=500, required=False)


class SupplementForm(forms.Form):
    items = forms.MultipleChoiceField(
        label=_("Papers to add or redo"), required=False, widget=forms.CheckboxSelectMultiple
    )
    other = forms.CharField(
        label=_("Other papers, one per line"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
    )
    note = forms.CharField(
        label=_("What is wrong (printed on form 02)"),
        max_length=1000,
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
    )

    def __init__(self, *args: Any, dossier: Dossier, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.components: list[Component] = list(dossier.case.components.order_by("position"))
        items = self.fields["items"]
        assert isinstance(items, forms.ChoiceField)
        items.choices = [(str(c.pk), c.name) for c in self.components]

    def clean(self) -> dict[str, Any]:
        super().clean()
        data = self.cleaned_data
        if not data.get("items") and not _lines(data.get("other", "")):
            raise forms.ValidationError(_("Tick or write at least one paper to add."))
        return data

    def item_names(self) -> list[str]:
        chosen = set(self.cleaned_data.get("items") or [])
        names = [c.name_vi for c in self.components if str(c.pk) in chosen]
        return names + _lines(self.cleaned_data.get("other", ""))


class RefuseForm(forms.Form):
    reasons = forms.MultipleChoiceField(
        label=_("Reasons"),
        choices=REFUSAL_REASONS,
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    other = forms.CharField(
        label=_("Other reasons, one per line"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
    )

    def clean(self) -> dict[str, Any]:
        super().clean()
        data = self.cleaned_data
        if not data.get("reasons") and not _lines(data.get("other", "")):
            raise forms.ValidationError(_("Tick or write at least one reason for refusing."))
        return data

    def reason_texts(self) -> list[str]:
        chosen = set(self.cleaned_data.get("reasons") or [])
        picked = [_vietnamese(label) for key, label in REFUSAL_REASONS if key in chosen]
        return picked + _lines(self.cleaned_data.get("other", ""))
