"""The applicant part of the desk forms, and what a scanned ID card fills in."""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

from django import forms
from django.http import QueryDict
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from dossiers.idcard import IdCard, IdCardError, id_number_check
from dossiers.models import ApplicantKind
from dossiers.services import ApplicantIn

PREFIX = "a"
SEX_CHOICES = [("", "—"), ("male", _("Male")), ("female", _("Female"))]
DATE_FORMATS = ["%Y-%m-%d", "%d/%m/%Y", "%d%m%Y"]


# Written like a date, whether or not that day exists: 31/02/1990 is one.
LOOKS_LIKE_A_DATE = re.compile(r"\s*\d{1,2}/\d{1,2}/\d{4}\s*")


def _digits(value: str) -> str:
    return "".join(value.split()).replace(".", "")


class BirthDateField(forms.DateField):
    """A date of birth: a day that exists, not in the future."""

    def to_python(self, value: Any) -> dt.date | None:
        try:
            return super().to_python(value)
        except forms.ValidationError:
            if isinstance(value, str) and LOOKS_LIKE_A_DATE.fullmatch(value):
                raise forms.ValidationError(
                    _("There is no day %(value)s: check the day and the month."),
                    code="no_such_day",
                    params={"value": value.strip()},
                ) from None
            raise

    def validate(self, value: Any) -> None:
        super().validate(value)
        if value and value > timezone.localdate():
            raise forms.ValidationError(
                _("The date of birth cannot be after today."), code="future"
            )


class ApplicantForm(forms.Form):
    kind = forms.ChoiceField(
        label=_("Applicant is a"), choices=ApplicantKind.choices, initial=ApplicantKind.CITIZEN
    )
    id_number = forms.CharField(
        label=_("Personal ID number (12 digits) or tax code"),
        max_length=20,
        required=False,
        widget=forms.TextInput(attrs={"inputmode": "numeric", "autocomplete": "off"}),
    )
    full_name = forms.CharField(
        label=_("Full name or business name"),
        max_length=200,
        error_messages={"required": _("Write the applicant's full name, or scan the ID card.")},
    )
    birth_date = BirthDateField(
        label=_("Date of birth"),
        required=False,
        input_formats=DATE_FORMATS,
        widget=forms.DateInput(
            attrs={"placeholder": _("dd/mm/yyyy"), "autocomplete": "off"}, format="%d/%m/%Y"
        ),
        error_messages={"invalid": _("Write the date of birth as dd/mm/yyyy, e.g. 02/03/1989.")},
    )
    sex = forms.ChoiceField(label=_("Sex"), choices=SEX_CHOICES, required=False)
    address = forms.CharField(label=_("Permanent address"), max_length=300, required=False)
    phone = forms.CharField(
        label=_("Phone number"),
        max_length=20,
        required=False,
        widget=forms.TextInput(attrs={"inputmode": "tel", "autocomplete": "off"}),
    )
    email = forms.EmailField(
        label=_("Email"),
        required=False,
        error_messages={"invalid": _("This email address is not complete, e.g. ten@example.vn.")},
    )
    representative = forms.CharField(
        label=_("Legal representative (businesses)"), max_length=200, required=False
    )
    authorised_name = forms.CharField(
        label=_("Authorised person filing on their behalf"), max_length=200, required=False
    )
    authorised_id_number = forms.CharField(
        label=_("Authorised person's ID number"), max_length=20, required=False
    )
    authorised_phone = forms.CharField(
        label=_("Authorised person's phone"), max_length=20, required=False
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("prefix", PREFIX)
        super().__init__(*args, **kwargs)

    def clean_id_number(self) -> str:
        value = _digits(self.cleaned_data.get("id_number", ""))
        kind = self.data.get(self.add_prefix("kind"), ApplicantKind.CITIZEN)
        if value and kind == ApplicantKind.CITIZEN and not (value.isdigit() and len(value) == 12):
            raise forms.ValidationError(
                _(
                    "A personal ID number has 12 digits; “%(value)s” has %(count)d characters. "
                    "Check the number on the card, or scan its QR code."
                ),
                params={"value": value, "count": len(value)},
            )
        return value

    def clean_phone(self) -> str:
        return _phone(self.cleaned_data.get("phone", ""))

    def clean_authorised_phone(self) -> str:
        return _phone(self.cleaned_data.get("authorised_phone", ""))

    def clean_authorised_id_number(self) -> str:
        value = _digits(self.cleaned_data.get("authorised_id_number", ""))
        if value and not (value.isdigit() and len(value) == 12):
            raise forms.ValidationError(
                _("A personal ID number has 12 digits; “%(value)s” has %(count)d characters."),
                params={"value": value, "count": len(value)},
            )
        return value

    def clean(self) -> dict[str, Any]:
        super().clean()
        data = self.cleaned_data
        number = data.get("id_number", "")
        if data.get("kind") == ApplicantKind.CITIZEN and len(number) == 12:
            try:
                id_number_check(number, birth_date=data.get("birth_date"), sex=data.get("sex", ""))
            except IdCardError as problem:
                self.add_error("id_number", problem.message)
        if data.get("authorised_name") and not data.get("authorised_id_number"):
            self.add_error(
                "authorised_id_number",
                _("Write the ID number of the person filing on the applicant's behalf."),
            )
        return data

    def applicant_in(self) -> ApplicantIn:
        data = self.cleaned_data
        return ApplicantIn(
            full_name=data["full_name"],
            id_number=data["id_number"],
            kind=data["kind"],
            birth_date=data.get("birth_date"),
            sex=data.get("sex", ""),
            address=data.get("address", ""),
            phone=data.get("phone", ""),
            email=data.get("email", ""),
            representative=data.get("representative", ""),
        )


def _phone(value: str) -> str:
    cleaned = "".join(ch for ch in value if ch.isdigit() or ch == "+")
    if value.strip() and not 9 <= len(cleaned.lstrip("+")) <= 15:
        raise forms.ValidationError(
            _("A phone number has 10 digits, e.g. 0905 123 456."),
        )
    return cleaned


def card_data(card: IdCard) -> dict[str, str]:
    """The applicant fields a scanned card fills in, as form data."""
    return {
        "kind": ApplicantKind.CITIZEN,
        "id_number": card.number,
        "full_name": card.full_name,
        "birth_date": card.birth_date.strftime("%d/%m/%Y"),
        "sex": card.sex,
        "address": card.address,
    }


def with_values(data: QueryDict, values: dict[str, str], *, only_empty: bool = False) -> QueryDict:
    """A copy of ``data`` with applicant fields set (or only the empty ones filled)."""
    changed = data.copy()
    for name, value in values.items():
        key = f"{PREFIX}-{name}"
        if only_empty and changed.get(key, "").strip():
            continue
        changed[key] = value
    return changed
