"""People: OPDs, staff accounts and the liaison roster (who serves an OPD, from when to when).

- :mod:`portal.people.models` — :class:`OPD`, :class:`User` and its :class:`Role`, :class:`Liaison` terms;
- :mod:`portal.people.accounts` — :func:`create_user`, the one way an account is made (web and command line);
- :mod:`portal.people.liaisons` — :func:`current_liaisons` on a day and :func:`hand_over` a liaison post.
"""


class PeopleError(ValueError):
    """A refused change: ``field`` names the input at fault, ``code`` the reason, ``detail`` any particulars."""

    def __init__(self, field: str, code: str, detail: str = "") -> None:
        super().__init__(f"{field}: {code}" + (f" ({detail})" if detail else ""))
        self.field, self.code, self.detail = field, code, detail
