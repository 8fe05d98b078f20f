from django import template
from django.utils.translation import get_language

register = template.Library()


@register.filter
def vnd(amount: int | None) -> str:
    """An amount of đồng as people write it: 200.000 đ, or 200,000 VND in English."""
    if amount is None:
        return ""
    grouped = f"{int(amount):,}"
    if (get_language() or "vi").startswith("en"):
        return f"{grouped} VND"
    return grouped.replace(",", ".") + " đ"
