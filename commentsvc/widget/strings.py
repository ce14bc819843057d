"""The words embed.js shows, from the same catalogues as the pages, one JSON per locale.

Plurals travel as one template per CLDR plural category ("one", "other", ...): the
browser picks with `Intl.PluralRules(locale)`, which follows the same CLDR rules the
catalogues' Plural-Forms were written from. Templates keep the `%(name)s` placeholders.
"""

from babel import Locale
from flask_babel import force_locale, gettext

from .. import locales
from ..i18n import plural

# Integers up to here are enough to meet every integer category of the shipped locales.
_SAMPLES = range(0, 200)


def _messages() -> dict[str, str]:
    return {
        "held": gettext("Your comment is awaiting moderation."),
        "published": gettext("Thank you: your comment is published."),
        "closed": gettext("Comments are closed for this article."),
        "notFound": gettext("This article does not take comments."),
        "rate": gettext(
            "You are posting too quickly. Wait a minute, then press “Post Comment” again."
        ),
        "network": gettext(
            "Could not reach the comment service, so your comment was not sent. "
            "Check your connection and try again: your text is still here."
        ),
        "server": gettext(
            "Something went wrong on our side and nothing was saved. Please try again in a moment."
        ),
        "invalid": gettext("Please correct the fields marked below."),
        "load": gettext("Comments could not be loaded. Check your connection, then try again."),
        "badArticle": gettext(
            "This comment section is not set up correctly (no valid article id)."
        ),
        "comments": gettext("Comments"),
        "olderComments": gettext("Older comments"),
        "closedShort": gettext("Comments are closed."),
        "leaveReply": gettext("Leave a Reply"),
        "replyTo": gettext("Reply to %(name)s"),
        "cancelReply": gettext("Cancel reply"),
        "postComment": gettext("Post Comment"),
        "subject": gettext("Subject"),
        "save": gettext(
            "Save my name, email, and website in this browser for the next time I comment."
        ),
        "notes": gettext(
            "Your email address will not be published. Required fields are marked %(mark)s"
        ),
        "comment": gettext("Comment"),
        "name": gettext("Name"),
        "email": gettext("Email"),
        "website": gettext("Website"),
        "notify": gettext("Notify me of follow-up comments by email."),
        "tryAgain": gettext("Try again"),
        "removed": gettext("This comment was removed."),
        "staff": gettext("Staff"),
        "reply": gettext("Reply"),
        "replyToLabel": gettext("Reply to %(name)s"),
        "justNow": gettext("just now"),
        "noComments": gettext("No comments"),
        "noThoughts": gettext("No thoughts yet"),
        "noThoughtsOn": gettext("No thoughts yet on “%(title)s”"),
        "bodyEmpty": gettext("Write a comment before posting."),
        "bodyLong": gettext("Keep the comment under %(max)s characters (this one has %(length)s)."),
        "nameBad": gettext("Enter a name of 1 to 100 characters."),
        "emailBad": gettext("Enter a valid email address."),
        "urlBad": gettext("Enter a web address starting with http:// or https://."),
        "urlLong": gettext("Longer than maximum length %(max)s."),
    }


def _plural_sources():
    """(key, callable n -> text) for each counted phrase; the callables keep placeholders."""
    keep = {"num": "%(num)s", "title": "%(title)s"}
    return {
        "count": lambda n: plural("%(num)s Comment", "%(num)s Comments", n, **keep),
        "thoughts": lambda n: plural("One thought", "%(num)s thoughts", n, **keep),
        "thoughtsOn": lambda n: plural(
            "One thought on “%(title)s”", "%(num)s thoughts on “%(title)s”", n, **keep
        ),
    }


def strings_for(locale: str) -> dict:
    """Every string embed.js needs, in `locale`, with its plural templates by category."""
    rule = Locale.parse(locale).plural_form
    with force_locale(locale):
        messages = _messages()
        plurals: dict[str, dict[str, str]] = {}
        for key, phrase in _plural_sources().items():
            forms = plurals.setdefault(key, {})
            for n in _SAMPLES:
                forms.setdefault(rule(n), phrase(n))
    return {
        "locale": locale,
        "dir": locales.direction(locale),
        "messages": messages,
        "plurals": plurals,
    }
