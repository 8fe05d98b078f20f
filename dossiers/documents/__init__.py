"""Printable forms of a dossier, in Vietnamese, as HTML or PDF.

The one-stop forms of Circular 01/2018/TT-VPCP as continued by the 2025
circular: 01 receipt and appointment, 02 supplement request, 03 refusal,
04 apology with a new date, 05 stop notice, 06 process control slip.

    render_form_pdf(dossier, "01")  # bytes of an A4 PDF

A form that does not apply to the dossier (a refusal slip for a dossier that
was accepted, say) raises :class:`FormNotAvailable`.
"""

from dossiers.documents.forms import FORMS, FormNotAvailable, lookup_url, render_form_html
from dossiers.documents.pdf import render_form_pdf

__all__ = ["FORMS", "FormNotAvailable", "lookup_url", "render_form_html", "render_form_pdf"]
