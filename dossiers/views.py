from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse

from dossiers.access import dossier_for_staff
from dossiers.documents import FORMS, FormNotAvailable, render_form_pdf
from dossiers.models import AccessRecord


@login_required
def form_pdf(request: HttpRequest, code: str, number: str) -> HttpResponse:
    if number not in FORMS:
        raise Http404
    dossier = dossier_for_staff(
        request.user,  # type: ignore[arg-type]
        code,
        read=AccessRecord.Kind.FORM,
        detail=number,
    )
    try:
        pdf = render_form_pdf(dossier, number)
    except FormNotAvailable as exc:
        return HttpResponse(str(exc), status=409, content_type="text/plain; charset=utf-8")
    response = HttpResponse(pdf, content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="{code}-mau-{number}.pdf"'
    return response
