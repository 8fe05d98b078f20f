"""Handing a result over: finding the dossier from a receipt, checking who collects it."""

from __future__ import annotations

from typing import Any
from urllib.parse import parse_qs, urlsplit

from django import forms
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from dossiers.idcard import IdCardError, parse_idcard
from dossiers.models import Dossier, DossierComponent, ReturnChannel
from dossiers.services import has_electronic_result

COLLECTOR_CHOICES = [
    ("applicant", _("The applicant")),
    ("authorised", _("The authorised person")),
]


def code_from_scan(text: str) -> str:
    """The dossier code in what was typed or scanned: a bare code or the receipt's lookup URL."""
    text = text.strip()
    if "code=" in text:
        codes = parse_qs(urlsplit(text).query).get("code")
        if not codes:  # the query alone, without the address in front
            codes = parse_qs(text.split("?", 1)[-1]).get("code")
        if codes:
            return codes[0].strip()
    return text


def _id_from_scan(value: str) -> tuple[str, str]:
    """An ID number typed, or read from an ID-card QR scanned into the field: (number, name)."""
    if "|" not in value:
        return "".join(value.split()), ""
    card = parse_idcard(value)
    return card.number, card.full_name


def originals_to_return(dossier: Dossier) -> list[DossierComponent]:
    return [paper for paper in dossier.components.all() if paper.originals]


class ReturnForm(forms.Form):
    channel = forms.ChoiceField(
        label=_("How the result is handed over"),
        choices=ReturnChannel.choices,
        initial=ReturnChannel.DIRECT,
        widget=forms.RadioSelect,
    )
    collector = forms.ChoiceField(
        label=_("Collected by"),
        choices=COLLECTOR_CHOICES,
        initial="applicant",
        widget=forms.RadioSelect,
    )
    collector_id_number = forms.CharField(
        label=_("ID number of the person collecting (type it or scan their card)"),
        max_length=3000,
        required=False,
    )
    collected_by = forms.CharField(
        label=_("Name of the person collecting"), max_length=200, required=False
    )
    originals = forms.MultipleChoiceField(
        label=_("Originals handed back"),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    mismatch_checked = forms.BooleanField(
        label=_(
            "The ID number does not match, and I checked a written authorisation: hand over anyway"
        ),
        required=False,
    )
    note = forms.CharField(label=_("Note"), max_length=500, required=False)

    def __init__(self, *args: Any, dossier: Dossier, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.dossier = dossier
        self.papers = originals_to_return(dossier)
        originals = self.fields["originals"]
        collector = self.fields["collector"]
        assert isinstance(originals, forms.ChoiceField)
        assert isinstance(collector, forms.ChoiceField)
        originals.choices = [(str(p.pk), p.shown_name) for p in self.papers]
        self.mismatch = False
        # Online hand-over is shown but cannot be chosen when there is nothing to download.
        self.electronic_result = has_electronic_result(dossier)
        if not dossier.authorised_name:
            collector.choices = COLLECTOR_CHOICES[:1]

    def _expected(self, collector: str) -> tuple[str, str]:
        dossier = self.dossier
        if collector == "authorised":
            return dossier.authorised_id_number, dossier.authorised_name
        return dossier.applicant.id_number, dossier.applicant.full_name

    def clean(self) -> dict[str, Any]:
        super().clean()
        data = self.cleaned_data
        if data.get("channel") != ReturnChannel.DIRECT:
            return data
        try:
            number, card_name = _id_from_scan(data.get("collector_id_number", ""))
        except IdCardError as error:
            self.add_error("collector_id_number", error.message)
            return data
        expected_number, expected_name = self._expected(data.get("collector", "applicant"))
        data["collector_id_number"] = number
        data["collected_by"] = data.get("collected_by") or card_name or expected_name
        if not number:
            self.add_error(
                "collector_id_number",
                gettext("Check the ID card of the person collecting and type or scan its number."),
            )
        elif expected_number and number != expected_number and not data.get("mismatch_checked"):
            self.mismatch = True
            self.add_error(
                "collector_id_number",
                gettext(
                    "This ID number is not the one on the dossier (%(expected)s). Check that "
                    "the right person is collecting, or that they bring a written authorisation."
                )
                % {"expected": _masked(expected_number)},
            )
        return data

    def originals_returned(self) -> list[str]:
        chosen = set(self.cleaned_data.get("originals") or [])
        return [p.name for p in self.papers if str(p.pk) in chosen]

    def service_note(self) -> str:
        note = self.cleaned_data.get("note", "").strip()
        if self.cleaned_data.get("mismatch_checked"):
            prefix = "Số định danh người nhận khác hồ sơ; cán bộ đã kiểm tra giấy ủy quyền."
            note = f"{prefix} {note}".strip()
        return note


def _masked(number: str) -> str:
    if len(number) <= 5:
        return number
    return number[:3] + "*" * (len(number) - 5) + number[-2:]
