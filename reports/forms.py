"""The period, units and grouping a report is asked for."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from reports.access import Scope
from reports.progress import GROUPINGS

LONGEST = 366 * 10  # days: ten years is more than any report asks for


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self) -> None:
        super().__init__(format="%Y-%m-%d")


class PeriodForm(forms.Form):
    start = forms.DateField(label=_("From"), widget=DateInput())
    end = forms.DateField(label=_("To (included)"), widget=DateInput())
    scope = forms.ChoiceField(label=_("Units"))

    def __init__(self, data: Any, scope: Scope, **kwargs: Any) -> None:
        today = timezone.localdate()
        initial = {"start": today.replace(day=1), "end": today, "scope": "all"}
        merged = {**initial, **{k: v for k, v in (data or {}).items() if v}}
        super().__init__(merged, **kwargs)
        self.user_scope = scope
        choices = scope.choices()
        self.fields["scope"].choices = choices  # type: ignore[attr-defined]
        if len(choices) == 1:
            self.initial["scope"] = choices[0][0]
            if merged.get("scope") == "all":
                self.data = {**merged, "scope": choices[0][0]}

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        start, end = cleaned.get("start"), cleaned.get("end")
        if start and end:
            if start > end:
                self.add_error("end", _("The period must end on or after its first day."))
            elif (end - start).days > LONGEST:
                self.add_error("start", _("Choose a period of ten years at most."))
        if "scope" in cleaned:
            units = self.user_scope.pick(cleaned["scope"])
            if not units:
                self.add_error("scope", _("None of your units matches this choice."))
            cleaned["units"] = units
        return cleaned

    @property
    def period(self) -> tuple[dt.date, dt.date]:
        return self.cleaned_data["start"], self.cleaned_data["end"]


class ProgressForm(PeriodForm):
    by = forms.ChoiceField(label=_("Lines by"), choices=list(GROUPINGS.items()))

    def __init__(self, data: Any, scope: Scope, **kwargs: Any) -> None:
        data = {"by": "unit", **{k: v for k, v in (data or {}).items() if v}}
        super().__init__(data, scope, **kwargs)
