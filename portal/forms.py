from __future__ import annotations

import datetime as dt
from typing import Any

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from portal.models import DeliveryChoice, Profile, Satisfaction, Sex
from units.models import Unit, UnitKind


class ContactForm(forms.Form):
    contact = forms.CharField(
        label=_("Mobile number or email"),
        max_length=254,
        widget=forms.TextInput(attrs={"autocomplete": "username", "inputmode": "email"}),
        help_text=_("We send a 6-digit code there. No password to remember."),
    )


class CodeForm(forms.Form):
    code = forms.CharField(
        label=_("Code"),
        max_length=12,
        widget=forms.TextInput(
            attrs={"autocomplete": "one-time-code", "inputmode": "numeric", "pattern": "[0-9 ]*"}
        ),
    )


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self) -> None:
        super().__init__(format="%Y-%m-%d")


class UnitChoiceField(forms.ModelChoiceField):
    """Units by their name in the page's language, without the electronic id."""

    def label_from_instance(self, obj: Unit) -> str:  # type: ignore[override]
        return obj.name


def wards() -> UnitChoiceField:
    return UnitChoiceField(
        queryset=Unit.objects.active().filter(kind=UnitKind.WARD_COMMITTEE).order_by("name_vi"),
        label=_("Ward or commune where you live"),
        required=False,
        empty_label=_("— choose —"),
    )


class ProfileForm(forms.ModelForm):
    # Longer than the 12 digits, so a number typed in groups ("0540 8900 1234") is accepted.
    id_number = forms.CharField(
        label=_("Personal ID number"),
        max_length=20,
        widget=forms.TextInput(attrs={"inputmode": "numeric", "autocomplete": "off"}),
        help_text=_("The 12 digits on your ID card."),
    )

    class Meta:
        model = Profile
        fields = [
            "full_name",
            "id_number",
            "birth_date",
            "sex",
            "address",
            "phone",
            "email",
            "ward",
        ]
        widgets = {
            "birth_date": DateInput(),
            "full_name": forms.TextInput(attrs={"autocomplete": "name"}),
            "address": forms.TextInput(attrs={"autocomplete": "street-address"}),
            "phone": forms.TextInput(attrs={"autocomplete": "tel", "inputmode": "tel"}),
            "email": forms.EmailInput(attrs={"autocomplete": "email"}),
        }

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["ward"] = wards()
        sex = self.fields["sex"]
        assert isinstance(sex, forms.ChoiceField)
        sex.choices = [("", _("— choose —")), *Sex.choices]
        for name in ["full_name", "id_number", "birth_date", "address"]:
            self.fields[name].required = True

    def clean_id_number(self) -> str:
        number = "".join(self.cleaned_data["id_number"].split())
        if not (number.isdigit() and len(number) == 12):
            raise forms.ValidationError(_("A personal ID number has 12 digits."))
        return number

    def clean_birth_date(self) -> dt.date | None:
        born = self.cleaned_data.get("birth_date")
        if born and born > timezone.localdate():
            raise forms.ValidationError(_("The date of birth cannot be in the future."))
        return born


class CardForm(forms.Form):
    qr = forms.CharField(
        label=_("Text of the ID card's QR code"),
        max_length=3000,
        widget=forms.Textarea(attrs={"rows": 2, "autocomplete": "off", "spellcheck": "false"}),
    )


class PlaceForm(forms.Form):
    center = UnitChoiceField(
        queryset=Unit.objects.active().centers().order_by("level", "name_vi"),
        label=_("Service center that receives the dossier"),
        empty_label=None,
    )

    def __init__(self, *args: Any, ward_level: bool, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if ward_level:
            field = wards()
            field.label = _("Ward or commune that decides (usually where you live)")
            # Not "ward": the profile form beside it on the same page has that field.
            self.fields["deciding_ward"] = field


class DeliveryForm(forms.Form):
    delivery = forms.ChoiceField(
        label=_("How do you want the result?"),
        choices=DeliveryChoice.choices,
        widget=forms.RadioSelect,
        initial=DeliveryChoice.DIRECT,
    )
    address = forms.CharField(
        label=_("Postal address (only for sending by post)"), max_length=300, required=False
    )

    def __init__(self, *args: Any, online: bool, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        delivery = self.fields["delivery"]
        assert isinstance(delivery, forms.ChoiceField)
        if not online:
            delivery.choices = [c for c in DeliveryChoice.choices if c[0] != DeliveryChoice.ONLINE]


class ConfirmForm(DeliveryForm):
    confirm = forms.BooleanField(
        label=_("I confirm that the information and papers are true and complete."),
        required=True,
    )


class RatingForm(forms.Form):
    level = forms.ChoiceField(
        label=_("How satisfied are you with the service?"),
        choices=Satisfaction.choices,
        widget=forms.RadioSelect,
    )
    comment = forms.CharField(
        label=_("Comment (optional)"),
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
