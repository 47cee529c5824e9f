"""A no-op marker for translatable strings, so the engine stays free of Django.

``gettext_noop("…")`` returns its argument unchanged: the engine keeps computing with
the Danish text, and its values (and the stored assessment JSON) stay exactly as they
were. The name is the one Django's ``makemessages`` looks for, so every marked literal
lands in the message catalogue without this package importing Django. The Django layer
translates the strings when it displays them (``gettext`` in views and forms, the
``translated`` filter of ``incidents.templatetags.i18n_text`` in templates).

Only whole literals are extracted: write each translatable text as one string literal
inside the call, never an f-string or a concatenation.
"""


def gettext_noop(message: str) -> str:
    """Mark ``message`` for extraction by makemessages; return it unchanged."""
    return message
