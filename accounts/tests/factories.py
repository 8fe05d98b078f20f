from accounts.models import Assignment, User
from units.models import Unit


def staff_user(username: str, unit: Unit, *roles: str) -> User:
    """A staff member holding ``roles`` in ``unit``; the password is ``pw-<username>``."""
    user = User.objects.create_user(
        username=username, password="pw-" + username, full_name=username.title()
    )
    for role in roles:
        Assignment.objects.create(user=user, unit=unit, role=role)
    return user
